package waitfor

import (
	"fmt"
	"path"
	"strings"
)

// Limits that keep Parse quick on any input.
const (
	// maxScriptBytes is the largest script read, inline or from a file.
	maxScriptBytes = 256 << 10
	// maxDepth bounds nested shells, sourced scripts and function calls.
	maxDepth = 6
	// maxCommands bounds the simple commands examined in all.
	maxCommands = 4096
	// maxDependencies bounds the dependencies returned.
	maxDependencies = 64
	// maxLoopItems bounds the items a for loop is walked with; loops nested
	// deeper than maxLoopNesting are walked once.
	maxLoopItems   = 16
	maxLoopNesting = 2
)

// walker collects the result of one Parse.
type walker struct {
	files    Files
	res      Result
	seen     map[string]bool
	tools    map[string]bool
	notes    map[string]bool
	funcs    map[string]*funcBody
	commands int
	// loops counts the loops around the command being read: a file test
	// waits for the file only inside a loop.
	loops int
}

// Parse reads what the container waits for.
func Parse(in Input) Result {
	w := &walker{files: in.Files, seen: map[string]bool{}, tools: map[string]bool{}, notes: map[string]bool{},
		funcs: map[string]*funcBody{}}
	argv := ContainerArgv(in.Image, in.Command, in.Args)
	for i, a := range argv {
		argv[i] = ExpandKubernetes(a, in.Env)
	}
	w.run(argv, newShellEnv(in.Env, nil, in.Namespace), 0)
	return w.res
}

// note records something that could not be read, once.
func (w *walker) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !w.notes[s] && len(w.notes) < 32 {
		w.notes[s] = true
		w.res.Notes = append(w.res.Notes, s)
	}
}

// run reads one simple command (argv already expanded).
func (w *walker) run(argv []string, env *shellEnv, depth int) {
	if w.commands++; w.commands > maxCommands {
		w.note("stopped reading after %d commands", maxCommands)
		return
	}
	if len(argv) > 0 && path.Base(argv[0]) == "env" {
		env = env.clone()
	}
	for len(argv) > 0 {
		w.tool(argv[0])
		rest, next := stripWrapper(argv, env)
		if rest == nil {
			return
		}
		if !next {
			break
		}
		argv = rest
	}
	if len(argv) == 0 || depth > maxDepth {
		return
	}
	name, base := argv[0], path.Base(argv[0])
	switch {
	case strings.Contains(name, unresolvedMark) || strings.Contains(name, runtimeValue):
		w.note("the command %q is only known when the container runs", unmark(strings.Join(argv, " ")))
		return
	case w.funcs[name] != nil:
		w.callFunction(w.funcs[name], argv, env, depth)
		return
	case shells[base]:
		w.shell(name, argv[1:], env, depth)
		return
	case base == "source" || base == ".":
		if len(argv) > 1 {
			w.scriptFile(argv[1], env, depth)
		}
		return
	case base == "[" || base == "test":
		w.fileTest(base, argv[1:], env)
		return
	}
	if deps, next := recognise(argv, env); deps != nil || next != nil {
		w.add(deps, env)
		if len(next) > 0 {
			w.run(next, env, depth+1)
		}
		return
	}
	if strings.Contains(name, "/") && w.files != nil {
		if src, ok, _ := w.files.ReadFile(name); ok && isShellScript(src) {
			w.script(src, name, newShellEnv(env.vars, argv, env.namespace), depth+1)
		}
	}
}

// tool records an executable the command runs.
func (w *walker) tool(name string) {
	if builtins[name] || w.funcs[name] != nil || strings.Contains(name, unresolvedMark) ||
		strings.Contains(name, runtimeValue) || strings.Contains(name, "=") || w.tools[name] || len(w.tools) >= 64 {
		return
	}
	w.tools[name] = true
	w.res.Tools = append(w.res.Tools, name)
}

// shell runs `sh ARGS`: a -c script or a script file, with its positional parameters.
func (w *walker) shell(shell string, args []string, env *shellEnv, depth int) {
	run := shellInvocation(shell, args)
	switch {
	case run.stdin:
		w.note("%s reads its commands from standard input, which the pod spec does not show", shell)
	case run.file != "":
		w.scriptFile(run.file, newShellEnv(env.vars, run.args, env.namespace), depth)
	default:
		w.script(run.script, "", newShellEnv(env.vars, run.args, env.namespace), depth+1)
	}
}

// scriptFile reads a script from the container's files and runs it in env.
func (w *walker) scriptFile(file string, env *shellEnv, depth int) {
	if strings.Contains(file, unresolvedMark) || strings.Contains(file, runtimeValue) {
		w.note("the script %q is only known when the container runs", unmark(file))
		return
	}
	if w.files == nil {
		w.note("script %s is not readable: no volume of the pod serves it", file)
		return
	}
	src, ok, why := w.files.ReadFile(file)
	if !ok {
		if why == "" {
			why = "no volume diagnose could read serves it"
		}
		w.note("script %s is not readable: %s", file, why)
		return
	}
	w.script(src, file, env, depth+1)
}

// isShellScript tells whether a file run as a command is a shell script:
// a shell's #! line, or none.
func isShellScript(src string) bool {
	line, _, _ := strings.Cut(src, "\n")
	if !strings.HasPrefix(line, "#!") {
		return true
	}
	f := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(f) == 0 {
		return true
	}
	interp := path.Base(f[0])
	if interp == "env" && len(f) > 1 {
		interp = f[1]
	}
	return shells[interp]
}

// unmark turns markers back into $NAME for a message.
func unmark(s string) string {
	return replaceMarkers(s, map[string]bool{})
}
