package stuck

import (
	"strings"
	"testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/localcluster"
)

func TestLine(t *testing.T) {
	const shortener = "127.0.0.1:5999/kubectl-initwait/shortener:missing"
	pull := Finding{Namespace: "demo", Pod: "webapp-7c-x", Container: "webapp", Image: shortener, Cause: CauseImagePull,
		Reason: "ErrImagePull", Tries: 2, Message: `Failed to pull image "` + shortener + `": dial tcp 127.0.0.1:5999: connect: connection refused`}
	private := pull
	private.Image, private.Message = privateImage, `Failed to pull image "`+privateImage+`": `+privateErr
	flags := map[string]string{shortener: "--image"}
	stack := Advice{ImageFlags: flags, Remove: "kubectl initwait down -n demo"}
	tests := []struct {
		name  string
		f     Finding
		a     Advice
		want  []string // in this order
		avoid []string
	}{
		{"a pull on an unknown cluster: the flag, every tool, the stack kept", pull, stack, []string{
			`pod webapp-7c-x: container webapp (image "` + shortener + `") cannot start: ErrImagePull after 2 tries: Failed to pull image "` + shortener + `": dial tcp 127.0.0.1:5999: connect: connection refused`,
			"; pass --image REF with an image the cluster can pull, or load the image into the cluster: kind load docker-image " + shortener,
			", or minikube image load " + shortener, ", or k3d image import " + shortener, ", or crane push IMAGE.tar",
			"; the stack is left in place for inspection; remove it with kubectl initwait down -n demo"}, []string{"credentials"}},
		{"on kind the kind command comes first, with the cluster's name", pull,
			Advice{ImageFlags: flags, Cluster: localcluster.Cluster{Kind: localcluster.KindKind, Name: "dev"}}, []string{
				`load the image into this kind cluster "dev": kind load docker-image ` + shortener + " --name dev, or minikube image load"},
			[]string{"left in place"}},
		{"on minikube the minikube command first", pull,
			Advice{ImageFlags: flags, Cluster: localcluster.Cluster{Kind: localcluster.Minikube, Name: "minikube"}}, []string{
				`this minikube cluster "minikube": minikube image load ` + shortener + ", or kind load docker-image"}, nil},
		{"a private image: a pull secret too; no flag for a workload's image", private, Advice{Diagnose: true}, []string{
			"401 Unauthorized", "; set the container's image to one the cluster can pull, or load the image into the cluster: kind load docker-image " + privateImage,
			"; the registry wants credentials: give the pods an image pull secret (kubectl create secret docker-registry regcred -n demo",
			"; look closer with kubectl initwait diagnose pod/webapp-7c-x -n demo"}, []string{"--image", "left in place"}},
		{"an invalid image", Finding{Namespace: "demo", Pod: "p", Container: "c", Image: invalidImage, Cause: CauseInvalidImage, Reason: "InvalidImageName", Message: invalidMsg},
			Advice{}, []string{"InvalidImageName: " + invalidMsg, "; fix the container's image reference"}, []string{"kind load"}},
		{"an absent image under pull policy Never", Finding{Namespace: "demo", Pod: "p", Container: "c", Image: shortener, Cause: CauseImageAbsent, Reason: "ErrImageNeverPull"},
			Advice{ImageFlags: flags, Cluster: localcluster.Cluster{Kind: localcluster.K3d, Name: "k3s-default"}}, []string{
				"(the kubelet gave no message)", `the pull policy is Never, so the image must be on the node already: load the image into this k3d cluster "k3s-default": k3d image import ` + shortener + ", or kind",
				"; or pass --image REF"}, nil},
		{"a missing Secret key", Finding{Namespace: "shop", Pod: "web-1", Container: "app", Image: "busybox:1.36", Cause: CauseConfig, Reason: "CreateContainerConfigError", Message: missingKeyMsg},
			Advice{}, []string{"CreateContainerConfigError: " + missingKeyMsg, "; add key DATABASE_URL to Secret db-credentials (kubectl edit secret db-credentials -n shop)"}, []string{"load"}},
		{"a missing ConfigMap", Finding{Namespace: "shop", Pod: "web-1", Container: "app", Image: "busybox:1.36", Cause: CauseConfig, Reason: "CreateContainerConfigError", Message: `configmap "app-config" not found`},
			Advice{}, []string{"; create configmap app-config in namespace shop"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Line(tt.f, tt.a)
			if strings.Contains(got, "\n") {
				t.Fatalf("not one line: %q", got)
			}
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("line lacks (in order) %q:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			for _, a := range tt.avoid {
				if strings.Contains(got, a) {
					t.Errorf("line has %q:\n%s", a, got)
				}
			}
		})
	}
}
