package localcluster

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// node reads a recorded Node (see testdata/README.md for where each comes from).
func node(t *testing.T, file string) corev1.Node {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var n corev1.Node
	if err := yaml.UnmarshalStrict(b, &n); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return n
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name     string
		context  string
		nodes    []string
		want     Cluster
		evidence string
	}{
		{"kind by providerID", "", []string{"kind-control-plane.yaml"},
			Cluster{Kind: KindKind, Name: "kind", Arch: "amd64"}, `node providerID "kind://docker/kind/kind-control-plane"`},
		{"kind by providerID beats an unrelated context", "admin@prod", []string{"kind-dev-worker2.yaml"},
			Cluster{Kind: KindKind, Name: "dev", Arch: "arm64"}, `node providerID "kind://docker/dev/dev-worker2"`},
		{"k3d by node name on a k3s node", "", []string{"k3d-uds-server-0.yaml"},
			Cluster{Kind: K3d, Name: "uds", Arch: "amd64"}, "k3s node k3d-uds-server-0"},
		{"plain k3s is not k3d", "default", []string{"k3s-vm-165.yaml"}, Cluster{Arch: "amd64"}, ""},
		{"plain k3s under a k3d- context is k3d by the context", "k3d-lab", []string{"k3s-vm-165.yaml"},
			Cluster{Kind: K3d, Name: "lab", Arch: "amd64"}, "kubeconfig context k3d-lab"},
		{"minikube by label", "", []string{"minikube.yaml"},
			Cluster{Kind: Minikube, Name: "minikube", Arch: "amd64"}, "node label minikube.k8s.io/name=minikube"},
		{"kubeadm on DigitalOcean is unknown", "kubernetes-admin@kubernetes", []string{"do-kube-1-worker-1.yaml"}, Cluster{}, ""},
		{"kind by context when nodes cannot be listed", "kind-dev", nil,
			Cluster{Kind: KindKind, Name: "dev"}, "kubeconfig context kind-dev"},
		{"a kind- context whose nodes are not kind's is unknown", "kind-prod", []string{"do-kube-1-worker-1.yaml"}, Cluster{}, ""},
		{"k3d by context alone", "k3d-k3s-default", nil, Cluster{Kind: K3d, Name: "k3s-default"}, "kubeconfig context k3d-k3s-default"},
		{"minikube by context alone", "minikube", nil, Cluster{Kind: Minikube, Name: "minikube"}, "kubeconfig context minikube"},
		{"nothing to go by", "", nil, Cluster{}, ""},
		{"a bare kind- context is no name", "kind-", nil, Cluster{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nodes []corev1.Node
			for _, f := range tt.nodes {
				nodes = append(nodes, node(t, f))
			}
			got := Detect(tt.context, nodes)
			if got.Evidence != tt.evidence {
				t.Errorf("evidence %q, want %q", got.Evidence, tt.evidence)
			}
			got.Evidence = ""
			if got != tt.want {
				t.Errorf("Detect = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoadCommands(t *testing.T) {
	const img = "ghcr.io/kubectl-initwait/shortener:v0.1.0"
	tests := []struct {
		c         Cluster
		image     string
		archive   string
		firstLoad string
		str       string
	}{
		{Cluster{Kind: KindKind, Name: "kind"}, "kind load docker-image " + img, "kind load image-archive s.tar", "kind load docker-image " + img, `kind cluster "kind"`},
		{Cluster{Kind: KindKind, Name: "dev"}, "kind load docker-image " + img + " --name dev", "kind load image-archive s.tar --name dev", "kind load docker-image " + img + " --name dev", `kind cluster "dev"`},
		{Cluster{Kind: K3d, Name: "k3s-default"}, "k3d image import " + img, "k3d image import s.tar", "k3d image import " + img, `k3d cluster "k3s-default"`},
		{Cluster{Kind: K3d, Name: "uds"}, "k3d image import " + img + " -c uds", "k3d image import s.tar -c uds", "k3d image import " + img + " -c uds", `k3d cluster "uds"`},
		{Cluster{Kind: Minikube, Name: "p2"}, "minikube image load " + img + " -p p2", "minikube image load s.tar -p p2", "minikube image load " + img + " -p p2", `minikube cluster "p2"`},
		{Cluster{}, "", "", "kind load docker-image " + img, "a cluster of unknown kind"},
	}
	for _, tt := range tests {
		t.Run(string(tt.c.Kind)+"/"+tt.c.Name, func(t *testing.T) {
			if got := tt.c.LoadImage(img); got != tt.image {
				t.Errorf("LoadImage = %q, want %q", got, tt.image)
			}
			if got := tt.c.LoadArchive("s.tar"); got != tt.archive {
				t.Errorf("LoadArchive = %q, want %q", got, tt.archive)
			}
			cmds := tt.c.LoadCommands(img)
			if len(cmds) != 4 || cmds[0] != tt.firstLoad {
				t.Errorf("LoadCommands = %q, want 4 starting with %q", cmds, tt.firstLoad)
			}
			if got := tt.c.String(); got != tt.str {
				t.Errorf("String = %q, want %q", got, tt.str)
			}
		})
	}
}
