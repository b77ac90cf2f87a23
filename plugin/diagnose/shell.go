package diagnose

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// command is one simple command with the environment it runs in.
type command struct {
	argv []string
	env  Env
}

// maxShellDepth bounds nested `sh -c` scripts.
const maxShellDepth = 4

// simpleCommands returns the simple commands that argv runs, as argv lists
// with shell words expanded from env. argv is a container's command+args
// after Kubernetes $(VAR) expansion. When argv runs a shell with -c, the
// script is parsed with a real shell parser and every command in it (in
// loops, conditions, chains, subshells, substitutions) is returned, as is a
// bash /dev/tcp/HOST/PORT redirection (as the pseudo command
// ["/dev/tcp", HOST, PORT]). Wrappers such as timeout, env, exec and busybox
// are removed.
func simpleCommands(argv []string, env Env) []command {
	local := make(Env, len(env))
	for k, v := range env {
		local[k] = v
	}
	return unwrap(argv, local, 0)
}

func unwrap(argv []string, env Env, depth int) []command {
	for len(argv) > 0 {
		rest, next := stripWrapper(argv, env)
		if rest == nil {
			return nil
		}
		if !next {
			break
		}
		argv = rest
	}
	if len(argv) == 0 {
		return nil
	}
	if isShell(path.Base(argv[0])) {
		script, ok := shellScript(argv[1:])
		if !ok || depth >= maxShellDepth {
			return nil
		}
		return scriptCommands(script, env, depth+1)
	}
	return []command{{argv: argv, env: env}}
}

func isShell(base string) bool {
	switch base {
	case "sh", "bash", "ash", "dash", "ksh", "zsh", "mksh":
		return true
	}
	return false
}

// shellScript finds the script of `sh [options] -c SCRIPT [arg0 args...]`.
func shellScript(args []string) (string, bool) {
	hasC := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if hasC && i+1 < len(args) {
				return args[i+1], true
			}
			return "", false
		case a == "-o" || a == "+o":
			i++
		case len(a) > 1 && (a[0] == '-' || a[0] == '+') && !strings.HasPrefix(a, "--"):
			if strings.ContainsRune(a[1:], 'c') {
				hasC = true
			}
		case strings.HasPrefix(a, "--"):
			// long option such as --login or --norc
		default:
			return a, hasC
		}
	}
	return "", false
}

// stripWrapper removes one wrapper command (timeout, env, exec, ...) from
// argv. next reports whether one was removed; rest is nil when argv is a
// wrapper with no command after it.
func stripWrapper(argv []string, env Env) (rest []string, next bool) {
	args := argv[1:]
	switch path.Base(argv[0]) {
	case "exec", "nohup", "command", "builtin", "busybox", "time", "xargs":
		for len(args) > 0 && strings.HasPrefix(args[0], "-") {
			args = args[1:]
		}
	case "timeout":
		opts, _, after := getopt(args, "skt", true, "signal", "kill-after")
		args = after
		if _, old := opts["t"]; !old && len(args) > 0 {
			args = args[1:] // the duration (old BusyBox took it as -t N)
		}
	case "nice", "ionice", "stdbuf", "chroot":
		args = skipOptions(args, "nnciptoe", "adjustment", "class", "classdata", "input", "output", "error")
	case "env":
		args = skipOptions(args, "uCS", "unset", "chdir", "split-string")
		for len(args) > 0 && strings.Contains(args[0], "=") && !strings.HasPrefix(args[0], "=") {
			name, value, _ := strings.Cut(args[0], "=")
			env[name] = EnvVar{Value: value, Resolved: true}
			args = args[1:]
		}
	default:
		return argv, false
	}
	if len(args) == 0 {
		return nil, false
	}
	return args, true
}

// skipOptions drops leading options; letters in withValue and the long names
// take a value (attached or as the next word).
func skipOptions(args []string, withValue string, longWithValue ...string) []string {
	_, positional, rest := getopt(args, withValue, true, longWithValue...)
	return append(positional, rest...)
}

// scriptCommands parses a shell script and returns its simple commands.
func scriptCommands(script string, env Env, depth int) []command {
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
	if err != nil {
		return nil
	}
	local := Env{}
	for k, v := range env {
		local[k] = v
	}
	var out []command
	var visit func(n syntax.Node) bool
	visit = func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.ForClause:
			// for h in a b; do nc -z $h 80; done: walk the body once per item.
			iter, ok := n.Loop.(*syntax.WordIter)
			if !ok || len(iter.Items) == 0 || len(iter.Items) > 16 {
				return true
			}
			for _, item := range iter.Items {
				for _, field := range strings.Fields(wordString(item, local)) {
					local[iter.Name.Value] = EnvVar{Value: field, Resolved: true}
					for _, st := range n.Do {
						syntax.Walk(st, visit)
					}
				}
			}
			return false
		case *syntax.CallExpr:
			cmdEnv := local
			if len(n.Args) > 0 {
				cmdEnv = make(Env, len(local))
				for k, v := range local {
					cmdEnv[k] = v
				}
			}
			assign(n.Assigns, cmdEnv)
			if len(n.Args) == 0 {
				return true
			}
			argv := make([]string, 0, len(n.Args))
			for _, w := range n.Args {
				argv = append(argv, wordString(w, cmdEnv))
			}
			out = append(out, unwrap(argv, cmdEnv, depth)...)
		case *syntax.DeclClause:
			assign(n.Args, local)
		case *syntax.Redirect:
			if n.Word != nil {
				if argv := devTCP(wordString(n.Word, local)); argv != nil {
					out = append(out, command{argv: argv, env: local})
				}
			}
		}
		return true
	}
	syntax.Walk(file, visit)
	return out
}

func assign(assigns []*syntax.Assign, env Env) {
	for _, a := range assigns {
		if a.Name == nil || a.Naked {
			continue
		}
		v := ""
		if a.Value != nil {
			v = wordString(a.Value, env)
		}
		// A value holding an unresolved marker keeps it, so that the
		// dependency still names the variable's real source.
		env[a.Name.Value] = EnvVar{Value: v, Resolved: true}
	}
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
