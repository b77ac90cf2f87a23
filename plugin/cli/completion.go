package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// completionTimeout bounds every cluster request made to complete a word: a
// slow or unreachable cluster must not hang the shell.
const completionTimeout = 3 * time.Second

// offeredKinds are the target kinds whose objects are offered before a TYPE
// is typed, in completion order; ReplicaSets and DaemonSets complete after
// their TYPE.
var offeredKinds = []string{"Deployment", "Pod", "StatefulSet", "Job"}

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

// completionCluster is what completions read from the cluster: object
// names, the mapper that resolves TYPE words, and the namespace the flags
// select.
type completionCluster struct {
	names     nameLister
	mapper    meta.RESTMapper
	namespace string
}

// listerFactory connects to the cluster the flags name.
type listerFactory func() (completionCluster, error)

// clusterLister is the listerFactory of the real cluster: every request,
// discovery included, is bounded by completionTimeout.
func clusterLister(flags *genericclioptions.ConfigFlags) listerFactory {
	return func() (completionCluster, error) {
		cfg, err := flags.ToRESTConfig()
		if err != nil {
			return completionCluster{}, err
		}
		cfg = rest.CopyConfig(cfg)
		cfg.Timeout = completionTimeout
		ns, _, err := flags.ToRawKubeConfigLoader().Namespace()
		if err != nil {
			return completionCluster{}, err
		}
		client, err := metadata.NewForConfig(cfg)
		if err != nil {
			return completionCluster{}, err
		}
		dc, err := discovery.NewDiscoveryClientForConfig(cfg)
		if err != nil {
			return completionCluster{}, err
		}
		// Not the flags' ToRESTMapper: its discovery has no timeout.
		mapper := target.NewMapper(memory.NewMemCacheClient(dc))
		return completionCluster{names: metadataLister{client}, mapper: mapper, namespace: ns}, nil
	}
}

// TargetCompletion is the ValidArgsFunction of commands that take a target
// (watch, diagnose), from the namespace and context the flags select:
// first deployments as NAME and the objects of the offered kinds as
// KIND/NAME; after TYPE/ the names of that type as TYPE/NAME, and after a
// TYPE word the names of that type (TYPE NAME), for any spelling of a
// target kind that kubectl accepts.
func TargetCompletion(flags *genericclioptions.ConfigFlags) cobra.CompletionFunc {
	return targetCompletion(clusterLister(flags))
}

func targetCompletion(newCluster listerFactory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		const none = cobra.ShellCompDirectiveNoFileComp
		if len(args) > 1 || len(args) == 1 && strings.Contains(args[0], "/") {
			return nil, none // the target is complete
		}
		if sel := cmd.Flags().Lookup("selector"); sel != nil && sel.Changed {
			return nil, none // -l replaces the target
		}
		cl, err := newCluster()
		if err != nil {
			cobra.CompDebugln("initwait: "+err.Error(), false)
			return nil, none
		}
		ctx, cancel := context.WithTimeout(commandContext(cmd), completionTimeout)
		defer cancel()
		typ, prefix := "", ""
		if len(args) == 1 {
			typ = args[0] // TYPE NAME
		} else if t, _, found := strings.Cut(toComplete, "/"); found {
			typ, prefix = t, t+"/" // TYPE/NAME
		}
		if typ == "" {
			return untypedCandidates(ctx, cl, toComplete), none
		}
		k, err := target.KindFor(cl.mapper, typ)
		if err != nil {
			cobra.CompDebugln("initwait: "+err.Error(), false)
			return nil, none
		}
		names, err := cl.names.Names(ctx, k.Resource, cl.namespace)
		if err != nil {
			cobra.CompDebugln(fmt.Sprintf("initwait: listing %s: %v", k.Resource.Resource, err), false)
			return nil, none
		}
		for i, n := range names {
			names[i] = prefix + n
		}
		return withPrefix(names, toComplete), none
	}
}

// untypedCandidates are the completions of a first word without a TYPE/:
// the deployments' bare names, then KIND/NAME of every offered kind; a kind
// the cluster does not list is left out.
func untypedCandidates(ctx context.Context, cl completionCluster, toComplete string) []cobra.Completion {
	var bare, typed []string
	for _, kind := range offeredKinds {
		k, _ := target.KindNamed(kind)
		names, err := cl.names.Names(ctx, k.Resource, cl.namespace)
		if err != nil {
			cobra.CompDebugln(fmt.Sprintf("initwait: listing %s: %v", k.Resource.Resource, err), false)
			continue
		}
		names = sorted(names)
		if kind == "Deployment" {
			bare = names
		}
		for _, n := range names {
			typed = append(typed, k.Word()+"/"+n)
		}
	}
	var out []cobra.Completion
	for _, c := range append(bare, typed...) {
		if strings.HasPrefix(c, toComplete) {
			out = append(out, c)
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
		cl, err := newLister()
		if err != nil {
			cobra.CompDebugln("initwait: "+err.Error(), false)
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(commandContext(cmd), completionTimeout)
		defer cancel()
		names, err := cl.names.Names(ctx, namespacesGVR, "")
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
