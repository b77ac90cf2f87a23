package waitfor

import (
	"path"
	"strings"
)

// entrypoints are the entrypoints of images commonly used in init containers
// with args only: image name (last path element, without tag) → command.
var entrypoints = map[string][]string{
	"shortener":          {"/shortener"},
	"k8s-wait-for":       {"wait_for.sh"},
	"kubectl":            {"kubectl"},
	"dockerize":          {"dockerize"},
	"wait-for-it":        {"wait-for-it"},
	"k8s-wait-for-multi": {"k8s-wait-for-multi"},
}

// ContainerArgv is what a container runs as far as the pod spec tells:
// command then args. With no command the image's entrypoint runs, which the
// pod spec does not show: for the images in entrypoints it is known, and
// otherwise args are taken as the command, as entrypoints such as
// docker-entrypoint.sh exec them.
func ContainerArgv(image string, command, args []string) []string {
	argv := append(append([]string{}, command...), args...)
	if len(command) > 0 {
		return argv
	}
	name := path.Base(image)
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	if ep, ok := entrypoints[name]; ok {
		return append(append([]string{}, ep...), args...)
	}
	if strings.Contains(name, "shortener") {
		return append([]string{"/shortener"}, args...)
	}
	return argv
}

// unresolvedMark stands, inside expanded text, for a variable that is
// declared but whose value could not be read, or that is not set; it is
// inert to the shell parser and to the recognisers.
const unresolvedMark = "@@env:"

func markUnresolved(name string) string { return unresolvedMark + name + "@@" }

// ExpandKubernetes expands $(VAR) references in s as the kubelet does for
// command, args and env values: $$ is a literal $, $(VAR) of a defined
// variable is replaced, and any other reference is left as written. A
// declared variable whose value could not be read is replaced by a marker
// that dependency resolution turns back into "$VAR" with its source.
func ExpandKubernetes(s string, env Env) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			v, ok := env[name]
			switch {
			case ok && v.Resolved:
				b.WriteString(v.Value)
			case ok:
				b.WriteString(markUnresolved(name))
			default:
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}
