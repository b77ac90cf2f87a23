// Command localcluster tells hack/demo.sh which local cluster KUBECONFIG
// points at (plugin/localcluster: kind, k3d or minikube, from the nodes
// and the context's name) and how that cluster loads an image tarball.
//
//	localcluster detect             prints "KIND NAME ARCH" ("unknown" and "-" for what is not known)
//	localcluster load-command FILE  prints the command that loads FILE (docker-archive) into
//	                                the cluster; exit 3 when the cluster is of no known kind
//
// It honours KUBECONFIG and, like kubectl, --context is not needed: the
// current context is used. Nodes that cannot be listed leave the context
// name alone to go by.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/localcluster"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "detect" && len(args) != 1 || args[0] == "load-command" && len(args) != 2 ||
		args[0] != "detect" && args[0] != "load-command" {
		fmt.Fprintln(errOut, "usage: localcluster detect | localcluster load-command FILE")
		return 2
	}
	c, err := detect()
	if err != nil {
		fmt.Fprintln(errOut, "localcluster:", err)
		return 1
	}
	if args[0] == "detect" {
		fmt.Fprintln(out, line(c))
		return 0
	}
	cmd := c.LoadArchive(args[1])
	if cmd == "" {
		fmt.Fprintln(errOut, "localcluster: not a kind, k3d or minikube cluster")
		return 3
	}
	fmt.Fprintln(out, cmd)
	return 0
}

// line is "KIND NAME ARCH" with "unknown" and "-" for what is not known.
func line(c localcluster.Cluster) string {
	kind, name, arch := string(c.Kind), c.Name, c.Arch
	if kind == "" {
		kind = "unknown"
	}
	if name == "" {
		name = "-"
	}
	if arch == "" {
		arch = "-"
	}
	return kind + " " + name + " " + arch
}

// detect reads the kubeconfig's current context and lists the nodes.
func detect() (localcluster.Cluster, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{})
	raw, err := cc.RawConfig()
	if err != nil {
		return localcluster.Cluster{}, fmt.Errorf("reading kubeconfig: %w", err)
	}
	var nodes []corev1.Node
	if cfg, err := cc.ClientConfig(); err == nil {
		cfg.Timeout = 5 * time.Second
		if kube, err := kubernetes.NewForConfig(cfg); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if list, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 10}); err == nil {
				nodes = list.Items
			}
		}
	}
	return localcluster.Detect(raw.CurrentContext, nodes), nil
}
