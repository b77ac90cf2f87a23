package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
)

// The checks of the flags several commands share, so that each is checked
// one way with one wording.

// checkOutput checks -o/--output: text (also when left empty) or json.
func checkOutput(v string) error {
	switch v {
	case "", "text", "json":
		return nil
	}
	return mustBeOneOf("--output", v, "text", "json")
}

// checkColor checks --color: auto, always or never.
func checkColor(v string) error {
	if _, err := render.ParseColorMode(v); err != nil {
		return mustBeOneOf("--color", v, string(render.ColorAuto), string(render.ColorAlways), string(render.ColorNever))
	}
	return nil
}

// checkDuration checks a duration flag: never negative, and with positive
// not zero either.
func checkDuration(flag string, d time.Duration, positive bool) error {
	switch {
	case positive && d <= 0:
		return fmt.Errorf("%s must be positive (got %s)", flag, d)
	case d < 0:
		return fmt.Errorf("%s must not be negative (got %s)", flag, d)
	}
	return nil
}

// checkImages checks --image and --postgres-image (empty: the default).
func checkImages(image, postgresImage string) error {
	for _, f := range []struct{ flag, ref string }{{"--image", image}, {"--postgres-image", postgresImage}} {
		if f.ref == "" {
			continue
		}
		if _, err := stack.ParseImage(f.ref); err != nil {
			return fmt.Errorf("%s: %w", f.flag, err)
		}
	}
	return nil
}

// mustBeOneOf is the error of a flag given a value outside its set.
func mustBeOneOf(flag, got string, values ...string) error {
	return fmt.Errorf("%s must be one of: %s (got %q)", flag, strings.Join(values, ", "), got)
}
