package demo

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
)

// PrintStack writes to w, contacting nothing, the stack as Up would apply
// it (up --dry-run=client), Namespace first. The database Secret is left
// out: its password is only made at apply time and never printed. Comments
// at the top say how to create the Secret, with a password of its own,
// before `kubectl apply -f` of the file.
func PrintStack(w io.Writer, cfg UpConfig) error {
	objs, err := cfg.Objects()
	if err != nil {
		return err
	}
	ns := cfg.Stack.Namespace
	secret := stack.FindSecret(objs)
	kept := []*unstructured.Unstructured{stack.NamespaceObject(ns)}
	for _, obj := range objs {
		if obj != secret {
			kept = append(kept, obj)
		}
	}
	data, err := stack.WriteYAML(kept)
	if err != nil {
		return err
	}
	if secret != nil {
		if err := writeSecretInstructions(w, ns, secret); err != nil {
			return err
		}
	}
	_, err = w.Write(data)
	return err
}

// writeSecretInstructions writes, as YAML comments, the commands that create
// the database Secret the printed stack leaves out: its keys other than the
// password as rendered, a random password, and its labels (so that `down`
// deletes it too).
func writeSecretInstructions(w io.Writer, namespace string, secret *unstructured.Unstructured) error {
	data, err := stack.SecretData(secret)
	if err != nil {
		return err
	}
	var keys []string
	for k := range data {
		if k != stack.PasswordKey {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var literals strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&literals, " --from-literal=%s=%s", k, shellWord(string(data[k])))
	}
	var labels []string
	for k, v := range secret.GetLabels() {
		labels = append(labels, k+"="+shellWord(v))
	}
	sort.Strings(labels)
	ns := shellWord(namespace)
	_, err = fmt.Fprintf(w, `# kubectl initwait up --dry-run=client: the stack without secret/%[1]s,
# whose password up generates on first install and never prints.
# Create the Secret with a password of your own, then apply this file:
#   kubectl create namespace %[2]s --save-config   # unless it exists
#   kubectl -n %[2]s create secret generic %[1]s%[3]s \
#     --from-literal=%[4]s="$(LC_ALL=C tr -dc A-Za-z0-9 </dev/urandom | head -c 32)"
#   kubectl -n %[2]s label secret %[1]s %[5]s
#   kubectl apply -f stack.yaml
`, stack.SecretName, ns, literals.String(), stack.PasswordKey, strings.Join(labels, " "))
	return err
}

// plainWord is what a shell reads as itself, unquoted.
var plainWord = regexp.MustCompile(`^[A-Za-z0-9._/:=@%+-]+$`)

// shellWord quotes s for a POSIX shell unless it needs no quotes.
func shellWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// manifestPasswordWarning is the one line up prints on stderr when the
// database Secret holds the password written in the manifests, which anyone
// can read: the stack was installed by `kubectl apply -k manifests/...`.
func manifestPasswordWarning(namespace string) string {
	return fmt.Sprintf("warning: secret/%s in namespace %s holds the manifests' public demo password "+
		"(installed by kubectl apply -k?); up keeps an existing password: run 'kubectl initwait down -n %s' "+
		"and then up again to get a generated one", stack.SecretName, namespace, namespace)
}
