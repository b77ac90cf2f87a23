package cli

import (
	"io"
	"log/slog"
	"strings"
)

// LevelFatal is the level of the one line logged before exiting on a start-up
// failure; it prints as level=FATAL, like the seed application.
const LevelFatal = slog.Level(12)

// newLogger returns a text logger at level (debug, info, warn, error).
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: l,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.LevelKey {
				if lv, ok := a.Value.Any().(slog.Level); ok && lv >= LevelFatal {
					a.Value = slog.StringValue("FATAL")
				}
			}
			return a
		},
	}))
}
