package cli

import (
	"fmt"
	"strings"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
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

// mustBeOneOf is the error of a flag given a value outside its set.
func mustBeOneOf(flag, got string, values ...string) error {
	return fmt.Errorf("%s must be one of: %s (got %q)", flag, strings.Join(values, ", "), got)
}
