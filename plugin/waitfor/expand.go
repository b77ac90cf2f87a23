package waitfor

import (
	"io"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// runtimeValue stands for text only known when the container runs: a
// command substitution, or a word that could not be expanded.
const runtimeValue = "$(…)"

// maxFields bounds the fields one command or loop gets from expansion.
const maxFields = 256

// shellEnv is the environment of a running script: its variables and
// positional parameters. It is the expand.Environ of the expansions.
type shellEnv struct {
	vars Env
	// args are $0, $1, ...; nil when the positional parameters are unknown.
	args []string
	// namespace is the pod's namespace ("" when unknown).
	namespace string
}

func newShellEnv(vars Env, args []string, namespace string) *shellEnv {
	e := &shellEnv{vars: make(Env, len(vars)), args: args, namespace: namespace}
	for k, v := range vars {
		e.vars[k] = v
	}
	return e
}

// clone copies e for a scope of its own (a command's prefix assignments,
// a function call).
func (e *shellEnv) clone() *shellEnv { return newShellEnv(e.vars, e.args, e.namespace) }

func strVar(s string) expand.Variable {
	return expand.Variable{Set: true, Kind: expand.String, Str: s}
}

// Get implements expand.Environ: positional parameters from args, variables
// from vars, and an unreadable variable as its marker.
func (e *shellEnv) Get(name string) expand.Variable {
	switch {
	case name == "#":
		return strVar(strconv.Itoa(max(len(e.args)-1, 0)))
	case name == "@" || name == "*":
		if len(e.args) < 2 {
			return expand.Variable{Set: true, Kind: expand.Indexed}
		}
		return expand.Variable{Set: true, Kind: expand.Indexed, List: e.args[1:]}
	case isPositional(name):
		if i, _ := strconv.Atoi(name); i < len(e.args) {
			return strVar(e.args[i])
		}
		return expand.Variable{}
	case strings.HasPrefix(name, "HOME "):
		// ~user: never look the user up on this machine.
		return strVar("~" + strings.TrimPrefix(name, "HOME "))
	}
	v, ok := e.vars[name]
	switch {
	case !ok:
		return expand.Variable{}
	case !v.Resolved:
		return strVar(markUnresolved(name))
	}
	return strVar(v.Value)
}

// Each implements expand.Environ.
func (e *shellEnv) Each(fn func(name string, vr expand.Variable) bool) {
	for name := range e.vars {
		if !fn(name, e.Get(name)) {
			return
		}
	}
}

// Set implements expand.WriteEnviron, for ${VAR:=default}.
func (e *shellEnv) Set(name string, vr expand.Variable) error {
	switch {
	case vr.Kind == expand.KeepValue:
	case !vr.IsSet():
		delete(e.vars, name)
	default:
		e.vars[name] = Var{Value: vr.String(), Resolved: true}
	}
	return nil
}

func isPositional(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isSet tells whether name has a value for the script: a variable or a
// positional parameter (special parameters count as set).
func (e *shellEnv) isSet(name string) bool {
	if isPositional(name) {
		i, err := strconv.Atoi(name)
		return err == nil && i < len(e.args)
	}
	if _, ok := e.vars[name]; ok {
		return true
	}
	return !isName(name)
}

func isName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

func (e *shellEnv) config() *expand.Config {
	return &expand.Config{
		Env: e,
		CmdSubst: func(w io.Writer, cs *syntax.CmdSubst) error {
			if e.namespace != "" && readsNamespaceFile(cs) {
				_, err := io.WriteString(w, e.namespace)
				return err
			}
			_, err := io.WriteString(w, runtimeValue)
			return err
		},
		ProcSubst: func(*syntax.ProcSubst) (string, error) { return "/dev/fd/63", nil },
	}
}

// fields expands words as the arguments of a command: quotes removed,
// parameters expanded, unquoted expansions split. A word that cannot be
// expanded (bad arithmetic, ${X:?}) stands as runtimeValue.
func (e *shellEnv) fields(words ...*syntax.Word) []string {
	var out []string
	for _, w := range words {
		w = e.markUnset(w)
		n := len(out)
		for f, err := range expand.FieldsSeq(e.config(), w) {
			if err != nil {
				out = append(out[:n], runtimeValue)
				break
			}
			if out = append(out, f); len(out) >= maxFields {
				return out
			}
		}
	}
	return out
}

// literal expands one word as the value of an assignment (no splitting).
func (e *shellEnv) literal(w *syntax.Word) string {
	if w == nil {
		return ""
	}
	s, err := expand.Literal(e.config(), e.markUnset(w))
	if err != nil {
		return runtimeValue
	}
	return s
}

// markUnset copies w with every plain expansion of an unset variable
// ($X, ${X}, ${X%pat}) replaced by the variable's marker, so that the
// dependency names the variable instead of probing "". Expansions that
// handle unset themselves (${X:-default}, ${X:=x}, ${X:+x}) are kept.
func (e *shellEnv) markUnset(w *syntax.Word) *syntax.Word {
	parts, changed := e.markParts(w.Parts)
	if !changed {
		return w
	}
	c := *w
	c.Parts = parts
	return &c
}

func (e *shellEnv) markParts(parts []syntax.WordPart) ([]syntax.WordPart, bool) {
	var out []syntax.WordPart
	for i, p := range parts {
		q := e.markPart(p)
		if q != p && out == nil {
			out = append(make([]syntax.WordPart, 0, len(parts)), parts[:i]...)
		}
		if out != nil {
			out = append(out, q)
		}
	}
	if out == nil {
		return parts, false
	}
	return out, true
}

func (e *shellEnv) markPart(p syntax.WordPart) syntax.WordPart {
	switch p := p.(type) {
	case *syntax.DblQuoted:
		parts, changed := e.markParts(p.Parts)
		if !changed {
			return p
		}
		c := *p
		c.Parts = parts
		return &c
	case *syntax.ParamExp:
		if p.Param == nil || p.Length || p.Excl || p.Width || p.IsSet || p.Index != nil || p.Names != 0 {
			return p
		}
		if p.Exp != nil && overridesUnset(p.Exp.Op) {
			if p.Exp.Word == nil {
				return p
			}
			c, ce := *p, *p.Exp
			ce.Word = e.markUnset(p.Exp.Word)
			c.Exp = &ce
			return &c
		}
		if !e.isSet(p.Param.Value) {
			return &syntax.Lit{ValuePos: p.Pos(), ValueEnd: p.End(), Value: markUnresolved(p.Param.Value)}
		}
	}
	return p
}

func overridesUnset(op syntax.ParExpOperator) bool {
	switch op {
	case syntax.AlternateUnset, syntax.AlternateUnsetOrNull,
		syntax.DefaultUnset, syntax.DefaultUnsetOrNull,
		syntax.ErrorUnset, syntax.ErrorUnsetOrNull,
		syntax.AssignUnset, syntax.AssignUnsetOrNull:
		return true
	}
	return false
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
			plainWord(st.Redirs[0].Word) == serviceAccountNamespaceFile
	case *syntax.CallExpr:
		return len(st.Redirs) == 0 && len(c.Assigns) == 0 && len(c.Args) == 2 &&
			plainWord(c.Args[0]) == "cat" && plainWord(c.Args[1]) == serviceAccountNamespaceFile
	}
	return false
}

// plainWord is w with its quotes removed when it expands nothing; "" otherwise.
func plainWord(w *syntax.Word) string {
	s, err := expand.Literal(&expand.Config{Env: expand.ListEnviron()}, w)
	if err != nil {
		return ""
	}
	return s
}
