package diagnose

import (
	"regexp"
	"strings"

	"mvdan.cc/sh/v3/pattern"
	"mvdan.cc/sh/v3/syntax"
)

// wordString expands a shell word the way the shell would for a dependency's
// host, port or URL: quotes removed, parameters from env (with ${X:-default}),
// and an unknown or unreadable variable as a marker naming it.
func wordString(w *syntax.Word, env Env) string {
	var b strings.Builder
	for _, part := range w.Parts {
		writePart(&b, part, env, false)
	}
	return b.String()
}

func writePart(b *strings.Builder, part syntax.WordPart, env Env, quoted bool) {
	switch p := part.(type) {
	case *syntax.Lit:
		b.WriteString(unescape(p.Value, quoted))
	case *syntax.SglQuoted:
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			writePart(b, q, env, true)
		}
	case *syntax.ParamExp:
		b.WriteString(paramValue(p, env))
	case *syntax.CmdSubst:
		if v, ok := env[podNamespaceVar]; ok && readsNamespaceFile(p) {
			b.WriteString(v.Value)
		} else {
			b.WriteString("$(…)")
		}
	case *syntax.ArithmExp:
		b.WriteString("$((…))")
	}
}

// serviceAccountNamespaceFile holds the pod's namespace in every container
// with a mounted service account token.
const serviceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// readsNamespaceFile tells whether a command substitution only prints the
// service account's namespace file: $(cat FILE), `cat FILE` or $(<FILE).
func readsNamespaceFile(cs *syntax.CmdSubst) bool {
	if len(cs.Stmts) != 1 {
		return false
	}
	st := cs.Stmts[0]
	switch c := st.Cmd.(type) {
	case nil:
		return len(st.Redirs) == 1 && st.Redirs[0].Op == syntax.RdrIn && st.Redirs[0].Word != nil &&
			wordString(st.Redirs[0].Word, nil) == serviceAccountNamespaceFile
	case *syntax.CallExpr:
		return len(st.Redirs) == 0 && len(c.Assigns) == 0 && len(c.Args) == 2 &&
			wordString(c.Args[0], nil) == "cat" && wordString(c.Args[1], nil) == serviceAccountNamespaceFile
	}
	return false
}

func paramValue(p *syntax.ParamExp, env Env) string {
	if p.Param == nil || p.Length || p.Excl || p.Width {
		return "$(…)"
	}
	name := p.Param.Value
	v, set := env[name]
	value := v.Value
	if set && !v.Resolved {
		value = markUnresolved(name)
	}
	if p.Exp != nil && p.Exp.Word != nil {
		switch p.Exp.Op {
		case syntax.DefaultUnset, syntax.AssignUnset:
			if !set {
				return wordString(p.Exp.Word, env)
			}
		case syntax.DefaultUnsetOrNull, syntax.AssignUnsetOrNull:
			if !set || (v.Resolved && v.Value == "") {
				return wordString(p.Exp.Word, env)
			}
		}
	}
	if !set {
		return markUnresolved(name)
	}
	if p.Exp != nil && v.Resolved {
		return trimPattern(value, p.Exp.Op, wordString(p.Exp.Word, env))
	}
	return value
}

// trimPattern applies ${v%pat}, ${v%%pat}, ${v#pat} and ${v##pat}; other
// operators leave v as it is.
func trimPattern(v string, op syntax.ParExpOperator, pat string) string {
	var small, suffix bool
	switch op {
	case syntax.RemSmallSuffix:
		small, suffix = true, true
	case syntax.RemLargeSuffix:
		suffix = true
	case syntax.RemSmallPrefix:
		small = true
	case syntax.RemLargePrefix:
	default:
		return v
	}
	expr, err := pattern.Regexp(pat, pattern.EntireString)
	if err != nil {
		return v
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return v
	}
	// Cut points from the smallest removal to the largest.
	for k := 0; k <= len(v); k++ {
		n := k
		if !small {
			n = len(v) - k
		}
		if suffix && re.MatchString(v[len(v)-n:]) {
			return v[:len(v)-n]
		}
		if !suffix && re.MatchString(v[:n]) {
			return v[n:]
		}
	}
	return v
}

// unescape removes the shell's backslash escapes from a literal.
func unescape(s string, quoted bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (!quoted || strings.IndexByte("$`\"\\\n", s[i+1]) >= 0) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
