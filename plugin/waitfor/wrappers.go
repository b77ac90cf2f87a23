package waitfor

import (
	"path"
	"strings"
)

// wrapperSpecs are the commands that run another command: their options,
// before the wrapped command.
var wrapperSpecs = map[string]flagSpec{
	"timeout": {short: "sk", long: []string{"signal", "kill-after"}, stop: true},
	"nice":    {short: "n", long: []string{"adjustment"}, stop: true},
	"ionice":  {short: "cnpt", long: []string{"class", "classdata", "pid"}, stop: true},
	"stdbuf":  {short: "ioe", long: []string{"input", "output", "error"}, stop: true},
	"chroot":  {long: []string{"userspec", "groups"}, stop: true},
	"env":     {short: "uCS", long: []string{"unset", "chdir", "split-string"}, stop: true},
	"exec":    {short: "a", stop: true},
	"nohup":   {stop: true}, "command": {stop: true}, "builtin": {stop: true},
	"busybox": {stop: true}, "time": {stop: true}, "xargs": {short: "InLPdEs", stop: true},
	"setsid": {stop: true}, "tini": {stop: true}, "dumb-init": {stop: true}, "gosu": {stop: true},
	"su-exec": {stop: true},
}

// stripWrapper removes one wrapper command (timeout, env, exec, ...) from
// argv. next reports whether one was removed; rest is nil when argv is a
// wrapper with no command after it.
func stripWrapper(argv []string, env *shellEnv) (rest []string, next bool) {
	name := path.Base(argv[0])
	spec, ok := wrapperSpecs[name]
	if !ok {
		return argv, false
	}
	// BusyBox's old timeout took its duration as -t N.
	if name == "timeout" && contains(argv[1:], "-t") {
		spec.short += "t"
	}
	o := spec.parse(argv[1:])
	args := o.rest
	switch name {
	case "timeout":
		if !o.has("t") && len(args) > 0 {
			args = args[1:] // the duration
		}
	case "gosu", "su-exec", "chroot":
		if len(args) > 0 {
			args = args[1:] // the user or the new root
		}
	case "env":
		for len(args) > 0 && strings.Contains(args[0], "=") && !strings.HasPrefix(args[0], "=") {
			k, v, _ := strings.Cut(args[0], "=")
			env.vars[k] = Var{Value: v, Resolved: true}
			args = args[1:]
		}
	}
	if len(args) == 0 {
		return nil, false
	}
	return args, true
}

// shells are the shells whose -c script and script files are read.
var shells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "ksh": true, "zsh": true, "mksh": true}

// shellRun is what `sh [options] ...` runs.
type shellRun struct {
	// script is the -c script; file the script file when there is no -c.
	script, file string
	// args are the positional parameters, $0 first.
	args []string
	// stdin is true when the shell reads its commands from standard input.
	stdin bool
}

// shellInvocation reads `sh [options] -c SCRIPT [NAME [ARG...]]` and
// `sh [options] FILE [ARG...]` (args after the shell's name).
func shellInvocation(shell string, args []string) shellRun {
	hasC := false
	i := 0
options:
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--" || a == "-":
			i++
			break options
		case a == "-o" || a == "+o" || a == "--rcfile" || a == "--init-file":
			i++
		case strings.HasPrefix(a, "--"):
			// --login, --norc, --posix
		case len(a) > 1 && (a[0] == '-' || a[0] == '+'):
			if strings.ContainsRune(a[1:], 'c') {
				hasC = true
			}
			if strings.ContainsRune(a[1:], 'o') {
				i++ // -euo pipefail
			}
		default:
			break options
		}
	}
	operands := args[min(i, len(args)):]
	switch {
	case hasC && len(operands) == 0:
		return shellRun{stdin: true}
	case hasC:
		run := shellRun{script: operands[0], args: operands[1:]}
		if len(run.args) == 0 {
			run.args = []string{shell}
		}
		return run
	case len(operands) > 0:
		return shellRun{file: operands[0], args: operands}
	}
	return shellRun{stdin: true}
}

// builtins are shell builtins and keywords: not tools an image must have.
var builtins = map[string]bool{
	"echo": true, "printf": true, "test": true, "[": true, "[[": true, "true": true, "false": true, "exit": true,
	"export": true, "set": true, "unset": true, "read": true, "cd": true, "shift": true, "local": true,
	"return": true, "break": true, "continue": true, "eval": true, "exec": true, "command": true, "type": true,
	"wait": true, "trap": true, ":": true, ".": true, "source": true, "let": true, "declare": true,
	"readonly": true, "getopts": true, "ulimit": true, "umask": true, "builtin": true, "pwd": true, "kill": true,
	"alias": true, "hash": true, "times": true, "jobs": true, "typeset": true, "/dev/tcp": true,
}
