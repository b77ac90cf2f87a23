package cli

import "fmt"

// setTargetArgs stores a command's target words in first (NAME, TYPE/NAME,
// or the TYPE of TYPE NAME) and second (the NAME of TYPE NAME); without
// args both keep what the caller set.
func setTargetArgs(args []string, first, second *string) error {
	switch len(args) {
	case 0:
	case 1:
		*first, *second = args[0], ""
	case 2:
		*first, *second = args[0], args[1]
	default:
		return fmt.Errorf("too many arguments %q: give one target, NAME, TYPE/NAME or TYPE NAME", args)
	}
	return nil
}

// targetArgs are the target words stored by setTargetArgs, for target.Parse.
func targetArgs(first, second string) []string {
	switch {
	case second != "":
		return []string{first, second}
	case first != "":
		return []string{first}
	}
	return nil
}
