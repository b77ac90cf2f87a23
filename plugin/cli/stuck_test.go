package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/localcluster"
)

// TestDetectCluster: the nodes win over the context's name; the context
// alone when the nodes cannot be listed; --context over the current one.
func TestDetectCluster(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: \"https://127.0.0.1:1\"}\n" +
		"users:\n- name: u\n  user: {token: x}\ncontexts:\n- name: k3d-lab\n  context: {cluster: c, user: u}\n" +
		"- name: minikube\n  context: {cluster: c, user: u}\ncurrent-context: k3d-lab\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	kindNode := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "dev-control-plane"},
		Spec: corev1.NodeSpec{ProviderID: "kind://docker/dev/dev-control-plane"}}
	forbidden := fake.NewSimpleClientset()
	forbidden.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New(`nodes is forbidden: User "dev" cannot list resource "nodes"`)
	})
	tests := []struct {
		name    string
		context string
		kube    *fake.Clientset
		want    localcluster.Cluster
	}{
		{"the nodes win", "", fake.NewSimpleClientset(kindNode), localcluster.Cluster{Kind: localcluster.KindKind, Name: "dev"}},
		{"nodes forbidden: the current context", "", forbidden, localcluster.Cluster{Kind: localcluster.K3d, Name: "lab"}},
		{"--context over the current one", "minikube", forbidden, localcluster.Cluster{Kind: localcluster.Minikube, Name: "minikube"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := genericclioptions.NewConfigFlags(true)
			flags.KubeConfig, flags.Context = &path, &tt.context
			got := detectCluster(flags, tt.kube)(context.Background())
			got.Evidence = ""
			if got != tt.want {
				t.Errorf("detectCluster = %+v, want %+v", got, tt.want)
			}
		})
	}
}
