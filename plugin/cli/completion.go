package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// completionTimeout bounds every cluster request made to complete a word: a
// slow or unreachable cluster must not hang the shell.
const completionTimeout = 3 * time.Second

// targetKind is a kind of object a watch target names, with the TYPE words
// (kubectl's names and short names) that select it.
type targetKind struct {
	words   []string // first: the word completions use
	gvr     schema.GroupVersionResource
	offered bool // listed when no TYPE/ has been typed yet
}

// targetKinds are the kinds source.ParseTarget accepts, in completion order.
var targetKinds = []targetKind{
	{[]string{"deployment", "deployments", "deploy"}, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, true},
	{[]string{"pod", "pods", "po"}, schema.GroupVersionResource{Version: "v1", Resource: "pods"}, true},
	{[]string{"statefulset", "statefulsets", "sts"}, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}, true},
	{[]string{"job", "jobs"}, schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}, true},
	{[]string{"replicaset", "replicasets", "rs"}, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}, false},
	{[]string{"daemonset", "daemonsets", "ds"}, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}, false},
}

var namespacesGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// nameLister lists the names of one resource in a namespace ("" for a
// cluster-scoped resource). The real one asks the API server for metadata only.
type nameLister interface {
	Names(ctx context.Context, gvr schema.GroupVersionResource, namespace string) ([]string, error)
}

// metadataLister is the nameLister of a live cluster.
type metadataLister struct{ client metadata.Interface }

// Names lists the objects' metadata and returns their names.
func (l metadataLister) Names(ctx context.Context, gvr schema.GroupVersionResource, namespace string) ([]string, error) {
	list, err := l.client.Resource(gvr).Namespace(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(list.Items))
	for _, item := range list.Items {
		names = append(names, item.Name)
	}
	return names, nil
}

// listerFactory connects to the cluster the flags name and returns a lister
// and the namespace the flags select.
type listerFactory func() (nameLister, string, error)

// clusterLister is the listerFactory of the real cluster, with a short timeout.
func clusterLister(flags *genericclioptions.ConfigFlags) listerFactory {
	return func() (nameLister, string, error) {
		cfg, err := flags.ToRESTConfig()
		if err != nil {
			return nil, "", err
		}
		cfg = rest.CopyConfig(cfg)
		cfg.Timeout = completionTimeout
		ns, _, err := flags.ToRawKubeConfigLoader().Namespace()
		if err != nil {
			return nil, "", err
		}
		client, err := metadata.NewForConfig(cfg)
		if err != nil {
			return nil, "", err
		}
		return metadataLister{client}, ns, nil
	}
}

// TargetCompletion is the ValidArgsFunction of commands that take one
// [TYPE/]NAME target (watch, diagnose): it completes deployments (as NAME and
// deployment/NAME), pod/NAME, statefulset/NAME and job/NAME from the
// namespace and context the flags select, and after an explicit TYPE/ any
// kind the target accepts.
func TargetCompletion(flags *genericclioptions.ConfigFlags) cobra.CompletionFunc {
	return targetCompletion(clusterLister(flags))
}

func targetCompletion(newLister listerFactory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if sel := cmd.Flags().Lookup("selector"); sel != nil && sel.Changed {
			return nil, cobra.ShellCompDirectiveNoFileComp // -l replaces the target
		}
		lister, ns, err := newLister()
		if err != nil {
			cobra.CompDebugln("initwait: "+err.Error(), false)
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(commandContext(cmd), completionTimeout)
		defer cancel()
		names := map[string][]string{}
		for _, k := range kindsToList(toComplete) {
			n, err := lister.Names(ctx, k.gvr, ns)
			if err != nil {
				cobra.CompDebugln(fmt.Sprintf("initwait: listing %s: %v", k.gvr.Resource, err), false)
				continue
			}
			names[k.words[0]] = n
		}
		return targetCandidates(names, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// kindsToList returns the kinds worth listing to complete toComplete.
func kindsToList(toComplete string) []targetKind {
	if typ, _, found := strings.Cut(toComplete, "/"); found {
		if k, ok := kindOf(typ); ok {
			return []targetKind{k}
		}
		return nil
	}
	var kinds []targetKind
	for _, k := range targetKinds {
		if k.offered {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// kindOf finds the kind a TYPE word (any case, with .apps or .batch) selects.
func kindOf(typ string) (targetKind, bool) {
	typ = strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(typ), ".apps"), ".batch")
	for _, k := range targetKinds {
		for _, w := range k.words {
			if w == typ {
				return k, true
			}
		}
	}
	return targetKind{}, false
}

// targetCandidates returns the completions of toComplete, given the object
// names per kind (keyed by the kind's first word). Without a TYPE/ yet, bare
// deployment names and KIND/NAME of every listed kind match; after TYPE/ the
// names of that kind, spelled with the TYPE as typed.
func targetCandidates(names map[string][]string, toComplete string) []cobra.Completion {
	var out []cobra.Completion
	add := func(c string) {
		if strings.HasPrefix(c, toComplete) {
			out = append(out, c)
		}
	}
	if typ, _, found := strings.Cut(toComplete, "/"); found {
		k, ok := kindOf(typ)
		if !ok {
			return nil
		}
		for _, n := range sorted(names[k.words[0]]) {
			add(typ + "/" + n)
		}
		return out
	}
	for _, n := range sorted(names["deployment"]) {
		add(n)
	}
	for _, k := range targetKinds {
		for _, n := range sorted(names[k.words[0]]) {
			add(k.words[0] + "/" + n)
		}
	}
	return out
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// RegisterFlagCompletions completes the kubeconfig flags that flags added to
// cmd (the root's persistent flags): --namespace/-n with the cluster's
// namespaces; --context, --cluster and --user with the kubeconfig's entries.
func RegisterFlagCompletions(cmd *cobra.Command, flags *genericclioptions.ConfigFlags) error {
	return registerFlagCompletions(cmd, flags, clusterLister(flags))
}

func registerFlagCompletions(cmd *cobra.Command, flags *genericclioptions.ConfigFlags, newLister listerFactory) error {
	for _, f := range []struct {
		name string
		fn   cobra.CompletionFunc
	}{
		{"namespace", namespaceCompletion(newLister)},
		{"context", kubeconfigCompletion(flags, func(c *clientcmdapi.Config) []string { return keys(c.Contexts) })},
		{"cluster", kubeconfigCompletion(flags, func(c *clientcmdapi.Config) []string { return keys(c.Clusters) })},
		{"user", kubeconfigCompletion(flags, func(c *clientcmdapi.Config) []string { return keys(c.AuthInfos) })},
	} {
		if err := cmd.RegisterFlagCompletionFunc(f.name, f.fn); err != nil {
			return err
		}
	}
	return nil
}

// namespaceCompletion completes namespace names from the cluster.
func namespaceCompletion(newLister listerFactory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		lister, _, err := newLister()
		if err != nil {
			cobra.CompDebugln("initwait: "+err.Error(), false)
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(commandContext(cmd), completionTimeout)
		defer cancel()
		names, err := lister.Names(ctx, namespacesGVR, "")
		if err != nil {
			cobra.CompDebugln("initwait: listing namespaces: "+err.Error(), false)
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return withPrefix(names, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// kubeconfigCompletion completes names that pick reads from the kubeconfig
// the flags select (--kubeconfig, KUBECONFIG or ~/.kube/config).
func kubeconfigCompletion(flags *genericclioptions.ConfigFlags, pick func(*clientcmdapi.Config) []string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, err := flags.ToRawKubeConfigLoader().RawConfig()
		if err != nil {
			cobra.CompDebugln("initwait: reading kubeconfig: "+err.Error(), false)
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return withPrefix(pick(&cfg), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// withPrefix returns the sorted names that start with prefix.
func withPrefix(names []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, n := range sorted(names) {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// commandContext is cmd's context, or a background one when it has none.
func commandContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
