package diagnose

import (
	"regexp"
	"strings"
)

// logSignals is what a container's log says about its own command, counted
// over the whole log (not only the tail shown): a command the shell could
// not find, or a probe that rejected its own options.
type logSignals struct {
	// missing counts "not found" lines per command; missingLine is the first such line.
	missing     map[string]int
	missingTool string
	missingLine string
	// optionErrors counts option errors (`nc: invalid option -- 'z'`), usages
	// the `Usage: nc ...` texts; usageLine is the first option error (else usage line).
	optionErrors, usages int
	usageTool, usageLine string
	// busybox is a `BusyBox v1.35.0 (...) multi-call binary.` line, if seen.
	busybox string
	// forbidden counts the API server's refusals the command printed
	// (`Error from server (Forbidden): jobs.batch "x" is forbidden: ...`);
	// forbiddenLine is the first.
	forbidden     int
	forbiddenLine string
}

// shellPrefix is how shells and exec wrappers start their error lines:
// busybox `sh: `, dash `sh: 1: `, bash `bash: line 1: `, with `exec: `.
const shellPrefix = `^(?:/usr)?(?:/bin/)?(?:sh|bash|ash|dash|ksh|mksh|zsh|env|timeout|nohup|xargs): (?:(?:line )?\d+: )?(?:exec: )?(?:(?:line )?\d+: )?`

var (
	// notFoundLine: `sh: curl: not found` (busybox, dash), `bash: curl: command not found`.
	notFoundLine = regexp.MustCompile(shellPrefix + `([^\s:'"]+): (?:command )?not found\s*$`)
	// noSuchPathLine: bash's `bash: /wait_for.sh: No such file or directory`.
	noSuchPathLine = regexp.MustCompile(shellPrefix + `(/[^\s:'"]+): No such file or directory\s*$`)
	// cantExecLine: busybox env/timeout `can't execute 'x'`, GNU `failed to run command 'x'`, GNU env `env: 'x': No such file`.
	cantExecLine = regexp.MustCompile(`(?:can't execute|failed to run command|^env:) '([^']+)': No such file or directory`)
	// optionErrorLine: getopt's and BusyBox's complaints about the command line.
	optionErrorLine = regexp.MustCompile(`^([\w.+-]+): (?:invalid option|unrecognized option|unknown option|illegal option|option requires an argument|option '[^']*' (?:requires|doesn't allow) an argument)`)
	usageLine       = regexp.MustCompile(`^(?i:usage): +([\w./+-]+)`)
	busyboxLine     = regexp.MustCompile(`^BusyBox v\S+ .*multi-call binary`)
	// forbiddenLogLine: kubectl's `Error from server (Forbidden): ...` and client-go's `... is forbidden: User "..." cannot ...`.
	forbiddenLogLine = regexp.MustCompile(`\(Forbidden\)|is forbidden: User "[^"]*" cannot `)
)

// scan reads one log line.
func (s *logSignals) scan(line string) {
	line = strings.TrimSpace(line)
	if tool := missingCommand(line); tool != "" {
		if s.missing == nil {
			s.missing = map[string]int{}
		}
		s.missing[tool]++
		if s.missingTool == "" {
			s.missingTool, s.missingLine = tool, line
		}
		return
	}
	if m := optionErrorLine.FindStringSubmatch(line); m != nil {
		s.optionErrors++
		if s.optionErrors == 1 {
			s.usageTool, s.usageLine = m[1], line
		}
		return
	}
	if m := usageLine.FindStringSubmatch(line); m != nil {
		s.usages++
		if s.usageLine == "" {
			s.usageTool, s.usageLine = m[1], line
		}
		return
	}
	if s.busybox == "" && busyboxLine.MatchString(line) {
		s.busybox = line
	}
	if forbiddenLogLine.MatchString(line) {
		if s.forbidden++; s.forbidden == 1 {
			s.forbiddenLine = oneLine(line)
		}
	}
}

// missingCommand is the command a shell or wrapper could not find, if line says so.
func missingCommand(line string) string {
	for _, re := range []*regexp.Regexp{notFoundLine, noSuchPathLine, cantExecLine} {
		if m := re.FindStringSubmatch(line); m != nil {
			return m[1]
		}
	}
	return ""
}

// merge adds the signals of another instance's log.
func (s *logSignals) merge(o logSignals) {
	for tool, n := range o.missing {
		if s.missing == nil {
			s.missing = map[string]int{}
		}
		s.missing[tool] += n
	}
	if s.missingTool == "" {
		s.missingTool, s.missingLine = o.missingTool, o.missingLine
	}
	if o.usageLine != "" && (s.usageLine == "" || s.optionErrors == 0 && o.optionErrors > 0) {
		s.usageTool, s.usageLine = o.usageTool, o.usageLine
	}
	s.optionErrors += o.optionErrors
	s.usages += o.usages
	if s.busybox == "" {
		s.busybox = o.busybox
	}
	if s.forbiddenLine == "" {
		s.forbiddenLine = o.forbiddenLine
	}
	s.forbidden += o.forbidden
}

// attempts is how many attempts printed a usage error: one per option error
// or usage text, whichever each attempt printed.
func (s logSignals) attempts() int { return max(s.optionErrors, s.usages) }

// startFailure matches the runtime's message of a container whose command is
// not in the image (StartError, RunContainerError, CreateContainerError).
var startFailure = regexp.MustCompile(`exec: "([^"]+)": (?:executable file not found in \$PATH|stat [^:]*: no such file or directory|no such file or directory)`)
