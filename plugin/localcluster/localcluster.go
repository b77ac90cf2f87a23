// Package localcluster recognises the local clusters people run the demo
// on — kind, k3d and minikube — from the cluster's Node objects and the
// kubeconfig context's name, and says how each one loads an image that no
// registry serves. It is pure: callers list the nodes and read the context.
package localcluster

import (
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Kind is the tool a local cluster was made with.
type Kind string

// The kinds recognised; Unknown is any other cluster.
const (
	Unknown  Kind = ""
	KindKind Kind = "kind"
	K3d      Kind = "k3d"
	Minikube Kind = "minikube"
)

// The tools' default cluster names, left out of the commands they print.
const (
	defaultKindName     = "kind"
	defaultK3dName      = "k3s-default"
	defaultMinikubeName = "minikube"
)

// Cluster is what Detect recognised.
type Cluster struct {
	Kind Kind
	// Name is the cluster's name for its tool (kind --name, k3d -c,
	// minikube -p); empty when it could not be told.
	Name string
	// Arch is the first node's architecture (amd64, arm64), if known.
	Arch string
	// Evidence says what gave it away, e.g. `node providerID "kind://docker/kind/kind-control-plane"`.
	Evidence string
}

var (
	// kind sets providerID kind://PROVIDER/CLUSTER/NODE (kind PR #1805).
	kindProviderRe = regexp.MustCompile(`^kind://[^/]+/([^/]+)/`)
	// kind names nodes CLUSTER-control-plane[N] and CLUSTER-worker[N].
	kindNodeRe = regexp.MustCompile(`^(.+)-(control-plane|worker)\d*$`)
	// k3d names nodes k3d-CLUSTER-server-N and k3d-CLUSTER-agent-N.
	k3dNodeRe = regexp.MustCompile(`^k3d-(.+)-(server|agent)-\d+$`)
)

// Detect recognises the cluster from its nodes (any may be nil-free empty)
// and the kubeconfig context's name. Node evidence wins over the context:
// kind's providerID, k3d's node names (on nodes k3s labels), minikube's
// minikube.k8s.io/name label; then contexts kind-NAME, k3d-NAME and
// minikube.
func Detect(context string, nodes []corev1.Node) Cluster {
	c := fromNodes(nodes)
	if c.Kind == Unknown {
		c = fromContext(context, nodes)
	}
	if len(nodes) > 0 {
		c.Arch = nodes[0].Status.NodeInfo.Architecture
		if c.Arch == "" {
			c.Arch = nodes[0].Labels[corev1.LabelArchStable]
		}
	}
	return c
}

func fromNodes(nodes []corev1.Node) Cluster {
	for _, n := range nodes {
		if m := kindProviderRe.FindStringSubmatch(n.Spec.ProviderID); m != nil {
			return Cluster{Kind: KindKind, Name: m[1], Evidence: `node providerID "` + n.Spec.ProviderID + `"`}
		}
		if name := n.Labels["minikube.k8s.io/name"]; name != "" {
			return Cluster{Kind: Minikube, Name: name, Evidence: "node label minikube.k8s.io/name=" + name}
		}
		if m := k3dNodeRe.FindStringSubmatch(n.Name); m != nil && isK3s(n) {
			return Cluster{Kind: K3d, Name: m[1], Evidence: "k3s node " + n.Name}
		}
	}
	return Cluster{}
}

// isK3s reports whether a node runs k3s: its instance-type label, its
// k3s.io annotations, or its k3s:// providerID.
func isK3s(n corev1.Node) bool {
	if n.Labels[corev1.LabelInstanceTypeStable] == "k3s" || strings.HasPrefix(n.Spec.ProviderID, "k3s://") {
		return true
	}
	for k := range n.Annotations {
		if strings.HasPrefix(k, "k3s.io/") {
			return true
		}
	}
	return false
}

func fromContext(context string, nodes []corev1.Node) Cluster {
	switch {
	case strings.HasPrefix(context, "kind-") && len(context) > len("kind-"):
		name := strings.TrimPrefix(context, "kind-")
		if len(nodes) > 0 && !kindNodes(name, nodes) {
			return Cluster{} // a context named like kind's, but not its nodes
		}
		return Cluster{Kind: KindKind, Name: name, Evidence: "kubeconfig context " + context}
	case strings.HasPrefix(context, "k3d-") && len(context) > len("k3d-"):
		return Cluster{Kind: K3d, Name: strings.TrimPrefix(context, "k3d-"), Evidence: "kubeconfig context " + context}
	case context == defaultMinikubeName:
		return Cluster{Kind: Minikube, Name: context, Evidence: "kubeconfig context " + context}
	}
	return Cluster{}
}

// kindNodes reports whether every node is named as kind names the nodes
// of cluster name.
func kindNodes(name string, nodes []corev1.Node) bool {
	for _, n := range nodes {
		m := kindNodeRe.FindStringSubmatch(n.Name)
		if m == nil || m[1] != name {
			return false
		}
	}
	return true
}
