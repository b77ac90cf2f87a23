package diagnose

import "strings"

// getopt splits args into options and positional words, getopt_long style.
// Short letters in withValue and long names in longWithValue take a value,
// attached (-hdb, --host=db) or as the next word. Options are keyed by letter
// or long name; the last one wins. With stopAtPositional, parsing stops at the
// first positional word and the remaining words are returned as rest (as for
// wrappers like timeout, whose command has options of its own).
func getopt(args []string, withValue string, stopAtPositional bool, longWithValue ...string) (opts map[string]string, positional, rest []string) {
	opts = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return opts, append(positional, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			name, value, hasValue := strings.Cut(a[2:], "=")
			if !hasValue && contains(longWithValue, name) && i+1 < len(args) {
				i++
				value = args[i]
			}
			opts[name] = value
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				letter := a[j : j+1]
				if !strings.Contains(withValue, letter) {
					opts[letter] = ""
					continue
				}
				value := a[j+1:]
				if value == "" && i+1 < len(args) {
					i++
					value = args[i]
				}
				opts[letter] = value
				break
			}
		default:
			if stopAtPositional {
				return opts, nil, args[i:]
			}
			positional = append(positional, a)
		}
	}
	return opts, positional, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// firstOpt returns the value of the first of names present in opts.
func firstOpt(opts map[string]string, names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := opts[n]; ok {
			return v, true
		}
	}
	return "", false
}
