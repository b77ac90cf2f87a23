package waitfor

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// fileOps are the test operators that wait for a path to exist.
var fileOps = map[string]bool{"-e": true, "-f": true, "-d": true, "-s": true, "-r": true, "-w": true, "-x": true,
	"-L": true, "-h": true, "-S": true, "-p": true}

// fileTest reads `[ -f PATH ]` and `test -e PATH`: inside a loop, a wait
// for PATH to appear.
func (w *walker) fileTest(tool string, args []string, env *shellEnv) {
	if w.loops == 0 {
		return
	}
	for i := 0; i+1 < len(args); i++ {
		if fileOps[args[i]] && args[i+1] != "]" {
			label := "test " + args[i]
			if tool == "[" {
				label = "[ " + args[i] + " ]"
			}
			w.add([]Dependency{{Kind: KindFile, Tool: label, Path: args[i+1]}}, env)
			i++
		}
	}
}

// testClause reads bash's [[ -f PATH ]] the same way.
func (w *walker) testClause(x syntax.TestExpr, env *shellEnv) {
	if w.loops == 0 {
		return
	}
	switch x := x.(type) {
	case *syntax.UnaryTest:
		if op := x.Op.String(); fileOps[op] {
			if word, ok := x.X.(*syntax.Word); ok {
				w.add([]Dependency{{Kind: KindFile, Tool: "[[ " + op + " ]]", Path: env.literal(word)}}, env)
			}
			return
		}
		w.testClause(x.X, env)
	case *syntax.BinaryTest:
		w.testClause(x.X, env)
		w.testClause(x.Y, env)
	case *syntax.ParenTest:
		w.testClause(x.X, env)
	}
}

// add resolves deps and keeps the new ones.
func (w *walker) add(deps []Dependency, env *shellEnv) {
	for _, d := range deps {
		d = resolveMarkers(d, env)
		switch d.Kind {
		case KindFile:
			if d.Path == "" {
				continue
			}
			if w.files != nil && path.IsAbs(d.Path) && !strings.ContainsAny(d.Path, "$…") {
				if v, ok := w.files.VolumeAt(path.Clean(d.Path)); ok {
					d.Volume = &v
				}
			}
		case KindObject:
			// kubectl get is a wait only when a loop repeats it.
			if d.Object == nil || strings.HasSuffix(d.Tool, " get") && w.loops == 0 {
				continue
			}
		default:
			if d.Host == "" {
				continue
			}
		}
		key := d.Tool + " " + d.Kind + " " + d.Host + " " + d.PortText + " " + d.Path + " " + fmt.Sprint(d.Object)
		if w.seen[key] {
			continue
		}
		if len(w.res.Dependencies) >= maxDependencies {
			w.note("stopped after %d dependencies", maxDependencies)
			return
		}
		w.seen[key] = true
		w.res.Dependencies = append(w.res.Dependencies, d)
	}
}

// resolveMarkers turns the markers of unreadable or unset variables back
// into $NAME and says where each one's value lives.
func resolveMarkers(d Dependency, env *shellEnv) Dependency {
	names := map[string]bool{}
	d.Host = replaceMarkers(d.Host, names)
	d.URL = RedactURL(replaceMarkers(d.URL, names))
	d.PortText = replaceMarkers(d.PortText, names)
	d.Path = replaceMarkers(d.Path, names)
	if d.Object != nil {
		o := *d.Object
		o.Name, o.Selector = replaceMarkers(o.Name, names), replaceMarkers(o.Selector, names)
		o.Namespace = replaceMarkers(o.Namespace, names)
		d.Object = &o
	}
	switch d.Kind {
	case KindDNS, KindFile, KindObject:
	default:
		if d.Port == 0 && d.PortText != "" && !strings.ContainsAny(d.PortText, "$…") {
			d.Unresolved = append(d.Unresolved, fmt.Sprintf("port %q is not a number", d.PortText))
		}
	}
	for name := range names {
		d.Unresolved = append(d.Unresolved, describeUnresolved(name, env))
		if env.vars[name].Missing {
			d.Missing = true
		}
	}
	sort.Strings(d.Unresolved)
	return d
}

func replaceMarkers(s string, names map[string]bool) string {
	for {
		i := strings.Index(s, unresolvedMark)
		if i < 0 {
			return s
		}
		end := strings.Index(s[i+len(unresolvedMark):], "@@")
		if end < 0 {
			return s
		}
		name := s[i+len(unresolvedMark) : i+len(unresolvedMark)+end]
		names[name] = true
		s = s[:i] + "$" + name + s[i+len(unresolvedMark)+end+2:]
	}
}

func describeUnresolved(name string, env *shellEnv) string {
	if isPositional(name) {
		return fmt.Sprintf("$%s is not set: the script is run without argument %s", name, name)
	}
	v, ok := env.vars[name]
	switch {
	case !ok:
		return fmt.Sprintf("%s is not set in the pod spec (maybe in the image)", name)
	case v.Missing:
		return fmt.Sprintf("%s from %s (%s)", name, v.Source, v.Why)
	case v.Source != "" && v.Why != "":
		return fmt.Sprintf("%s from %s (not readable: %s)", name, v.Source, v.Why)
	case v.Source != "":
		return fmt.Sprintf("%s from %s (not readable)", name, v.Source)
	}
	return name + " could not be read"
}
