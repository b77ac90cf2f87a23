package waitfor

import "strings"

// flagSpec says how a tool parses its options.
type flagSpec struct {
	// short lists the letters that take a value (attached: -hdb, or the next word).
	short string
	// long lists the long names that take a value (--host=db or --host db).
	long []string
	// single is true for Go-style tools (dockerize): -name value and
	// -name=value are long options, and there are no clustered letters.
	single bool
	// stop ends option parsing at the first positional word: what follows
	// is returned as rest (a wrapped command with options of its own).
	stop bool
}

// options is a parsed command line.
type options struct {
	// values holds every value given to an option, by letter or long name,
	// in order; a flag without value has an empty string.
	values     map[string][]string
	positional []string
	// rest is what follows "--" or, with stop, the first positional word.
	rest []string
	// dashdash is true when rest follows a "--".
	dashdash bool
}

// last returns the last value of the first of names given.
func (o options) last(names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := o.values[n]; ok {
			return v[len(v)-1], true
		}
	}
	return "", false
}

// all returns every value of names, in the order of names.
func (o options) all(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, o.values[n]...)
	}
	return out
}

func (o options) has(names ...string) bool {
	_, ok := o.last(names...)
	return ok
}

// parse splits args getopt_long style (or Go flag style with spec.single).
func (spec flagSpec) parse(args []string) options {
	o := options{values: map[string][]string{}}
	add := func(name, value string) { o.values[name] = append(o.values[name], value) }
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			o.rest, o.dashdash = args[i+1:], true
			return o
		case strings.HasPrefix(a, "--") || spec.single && len(a) > 1 && a[0] == '-':
			name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if !hasValue && contains(spec.long, name) && i+1 < len(args) {
				i++
				value = args[i]
			}
			add(name, value)
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				letter := a[j : j+1]
				if !strings.Contains(spec.short, letter) {
					add(letter, "")
					continue
				}
				value := a[j+1:]
				if value == "" && i+1 < len(args) {
					i++
					value = args[i]
				}
				add(letter, value)
				break
			}
		default:
			if spec.stop {
				o.rest = args[i:]
				return o
			}
			o.positional = append(o.positional, a)
		}
	}
	return o
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
