package waitfor

import (
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// funcBody is a shell function defined by the script.
type funcBody struct {
	body *syntax.Stmt
}

// script parses src and reads every command in it (in loops, conditions,
// chains, subshells, substitutions, functions as they are called).
func (w *walker) script(src, name string, env *shellEnv, depth int) {
	if len(src) > maxScriptBytes {
		w.note("script %s is too large to read (%d bytes; the limit is %d)", scriptName(name), len(src), maxScriptBytes)
		return
	}
	if depth > maxDepth {
		w.note("script %s is nested too deep to read", scriptName(name))
		return
	}
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		w.note("unparsable command (%s): %s", scriptName(name), firstLine(err.Error()))
		return
	}
	for _, st := range file.Stmts {
		w.walk(st, env, depth)
	}
}

func scriptName(name string) string {
	if name == "" {
		return "sh -c"
	}
	return name
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// walk reads the commands under node n in env.
func (w *walker) walk(n syntax.Node, env *shellEnv, depth int) {
	syntax.Walk(n, func(n syntax.Node) bool {
		if w.commands > maxCommands {
			return false
		}
		switch n := n.(type) {
		case *syntax.FuncDecl:
			if n.Name != nil && n.Body != nil {
				w.funcs[n.Name.Value] = &funcBody{body: n.Body}
			}
			return false
		case *syntax.WhileClause:
			w.loops++
			for _, st := range append(append([]*syntax.Stmt{}, n.Cond...), n.Do...) {
				w.walk(st, env, depth)
			}
			w.loops--
			return false
		case *syntax.ForClause:
			w.forLoop(n, env, depth)
			return false
		case *syntax.CallExpr:
			w.callExpr(n, env, depth)
		case *syntax.DeclClause:
			for _, a := range n.Args {
				if a.Name != nil && !a.Naked && a.Index == nil && a.Array == nil {
					env.vars[a.Name.Value] = Var{Value: env.literal(a.Value), Resolved: true}
				}
			}
		case *syntax.Redirect:
			if n.Word != nil {
				if argv := devTCP(env.literal(n.Word)); argv != nil {
					w.run(argv, env, depth)
				}
			}
		case *syntax.TestClause:
			w.testClause(n.X, env)
		}
		return true
	})
}

// callExpr reads one simple command: its assignments, then its words.
func (w *walker) callExpr(n *syntax.CallExpr, env *shellEnv, depth int) {
	if len(n.Args) == 0 {
		assign(n.Assigns, env)
		return
	}
	cmdEnv := env
	if len(n.Assigns) > 0 {
		cmdEnv = env.clone()
		assign(n.Assigns, cmdEnv)
	}
	argv := cmdEnv.fields(n.Args...)
	if len(argv) == 0 {
		return
	}
	switch argv[0] {
	case "shift":
		k := 1
		if len(argv) > 1 {
			k, _ = strconv.Atoi(argv[1])
		}
		if len(env.args) > 0 && k > 0 {
			env.args = append([]string{env.args[0]}, env.args[min(1+k, len(env.args)):]...)
		}
		return
	case "set":
		for i, a := range argv {
			if a == "--" {
				env.args = append([]string{firstOr(env.args, "sh")}, argv[i+1:]...)
			}
		}
		return
	}
	w.run(argv, cmdEnv, depth)
}

func firstOr(list []string, def string) string {
	if len(list) == 0 {
		return def
	}
	return list[0]
}

func assign(assigns []*syntax.Assign, env *shellEnv) {
	for _, a := range assigns {
		if a.Name == nil || a.Naked || a.Index != nil || a.Array != nil {
			continue
		}
		// A value holding an unresolved marker keeps it, so that the
		// dependency still names the variable's real source.
		env.vars[a.Name.Value] = Var{Value: env.literal(a.Value), Resolved: true}
	}
}

// forLoop walks a for loop's body once per item (for h in a b), or once
// when the items are only known at run time ($(seq 1 30)) or too many.
func (w *walker) forLoop(n *syntax.ForClause, env *shellEnv, depth int) {
	w.loops++
	defer func() { w.loops-- }()
	iter, ok := n.Loop.(*syntax.WordIter)
	if !ok {
		w.walk(n.Loop, env, depth)
		for _, st := range n.Do {
			w.walk(st, env, depth)
		}
		return
	}
	for _, it := range iter.Items {
		w.walk(it, env, depth) // commands in the items: $(seq 1 30)
	}
	var items []string
	if iter.InPos.IsValid() {
		items = env.fields(iter.Items...)
	} else if len(env.args) > 1 {
		items = env.args[1:] // for x; do: the positional parameters
	}
	if len(items) == 0 || len(items) > maxLoopItems || w.loops > maxLoopNesting {
		items = []string{runtimeValue}
	}
	for _, item := range items {
		env.vars[iter.Name.Value] = Var{Value: item, Resolved: true}
		for _, st := range n.Do {
			w.walk(st, env, depth)
		}
	}
}

// callFunction runs a shell function with argv as its positional parameters.
func (w *walker) callFunction(f *funcBody, argv []string, env *shellEnv, depth int) {
	if depth >= maxDepth {
		return
	}
	saved := env.args
	env.args = append([]string{firstOr(saved, "sh")}, argv[1:]...)
	w.walk(f.body, env, depth+1)
	env.args = saved
}

// devTCP turns a bash /dev/tcp/HOST/PORT path into ["/dev/tcp", HOST, PORT].
func devTCP(target string) []string {
	rest, ok := strings.CutPrefix(target, "/dev/tcp/")
	if !ok {
		return nil
	}
	host, port, ok := strings.Cut(rest, "/")
	if !ok || host == "" {
		return nil
	}
	return []string{"/dev/tcp", host, port}
}
