// Package render turns timeline entries into text (coloured by source with
// fatih/color) or JSON lines. It knows nothing about client-go.
package render

import (
	"fmt"
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// ColorMode is the value of --color.
type ColorMode string

// The colour modes.
const (
	ColorAuto   ColorMode = "auto"
	ColorAlways ColorMode = "always"
	ColorNever  ColorMode = "never"
)

// ParseColorMode validates a --color value.
func ParseColorMode(s string) (ColorMode, error) {
	switch m := ColorMode(s); m {
	case ColorAuto, ColorAlways, ColorNever:
		return m, nil
	}
	return "", fmt.Errorf("invalid --color %q: use auto, always or never", s)
}

// UseColor decides whether to colour output written to w: always and never
// are final; auto colours a terminal unless NO_COLOR is set (no-color.org)
// or TERM is dumb.
func UseColor(mode ColorMode, w io.Writer, getenv func(string) string) bool {
	switch mode {
	case ColorAlways:
		return true
	case ColorNever:
		return false
	}
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// palette holds the colours of one renderer; each is enabled or disabled as
// a whole so that renderers do not share fatih/color's global switch.
type palette struct {
	time, status, log, event, warning, notice, good, bad, waiting, dim *color.Color
}

func newPalette(enabled bool) palette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return palette{
		time:    mk(color.Faint),
		status:  mk(color.FgCyan, color.Bold),
		log:     mk(color.FgGreen),
		event:   mk(color.FgBlue),
		warning: mk(color.FgYellow, color.Bold),
		notice:  mk(color.FgMagenta),
		good:    mk(color.FgGreen, color.Bold),
		bad:     mk(color.FgRed, color.Bold),
		waiting: mk(color.FgYellow),
		dim:     mk(color.Faint),
	}
}
