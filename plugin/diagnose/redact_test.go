package diagnose

import (
	"bytes"
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"http://user:pass@api:8080/ready":   "http://user:xxxxx@api:8080/ready",
		"https://u:p%40ss@api/x?y=@z":       "https://u:xxxxx@api/x?y=@z",
		"user:pass@api:8080/ready":          "user:xxxxx@api:8080/ready",
		"http://u:a@b@api/":                 "http://u:xxxxx@api/",
		"http://user@api:8080/ready":        "http://user@api:8080/ready",
		"http://api:8080/ready":             "http://api:8080/ready",
		"api:8080/a@b":                      "api:8080/a@b",
		"http://api:8080/ready?token=x:y@z": "http://api:8080/ready?token=x:y@z",
	}
	for in, want := range tests {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNoPasswordInOutput: a probe URL's password appears in neither text nor JSON.
func TestNoPasswordInOutput(t *testing.T) {
	for _, script := range []string{
		"until wget -qO- http://user:s3cret@api:8080/ready; do sleep 2; done",
		"until curl -fsS 'https://user:s3cret@api.demo.svc:8443/ready'; do sleep 2; done",
		"until wget -q $(API_URL); do sleep 2; done",
	} {
		p := withCommand(webappPod("webapp-1", ""), script)
		p.Spec.InitContainers[0].Env = append(p.Spec.InitContainers[0].Env, envVar("API_URL", "http://user:s3cret@api:8080/ready"))
		d := newDiagnoser(nil, []runtime.Object{deployment("webapp", map[string]string{"app": "webapp"}), p}...)
		rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Pods[0].Dependencies) != 1 || !strings.Contains(rep.Pods[0].Dependencies[0].URL, "user:xxxxx@") {
			t.Errorf("%s: dependencies %+v, want one URL with user:xxxxx@", script, rep.Pods[0].Dependencies)
		}
		var text, js bytes.Buffer
		if err := WriteText(&text, rep); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&js, rep); err != nil {
			t.Fatal(err)
		}
		if out := text.String() + js.String(); strings.Contains(out, "s3cret") {
			t.Errorf("%s: password printed:\n%s", script, out)
		}
	}
}

func envVar(name, value string) corev1.EnvVar { return corev1.EnvVar{Name: name, Value: value} }
