package demo

import (
	"bufio"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
)

// variants are the variants of up --variant.
var variants = map[string][]stack.Variant{"init": {stack.VariantInit}, "naive": {stack.VariantNaive},
	"both": {stack.VariantInit, stack.VariantNaive}}

// TestUpDryRunClientYAMLApplies checks that what --dry-run=client prints
// works with kubectl apply -f: every document decodes as its kind, nothing
// holds a password, and the Secret the Deployments read (which is left out)
// is made by the commands in the comments with every key they reference
// and the labels down deletes by.
func TestUpDryRunClientYAMLApplies(t *testing.T) {
	tests := []struct {
		variant, db string
		want        []string
	}{
		{"init", "now", []string{"Namespace/demo", "ConfigMap/app-config", "Service/postgres", "Service/webapp", "Deployment/postgres", "Deployment/webapp"}},
		{"both", "later", []string{"Namespace/demo", "ConfigMap/app-config", "Service/postgres", "Service/webapp", "Deployment/postgres", "Deployment/webapp", "Deployment/webapp-naive"}},
		{"naive", "none", []string{"Namespace/demo", "ConfigMap/app-config", "Service/webapp", "Deployment/webapp-naive"}},
	}
	for _, tt := range tests {
		t.Run(tt.variant+"/"+tt.db, func(t *testing.T) {
			var out strings.Builder
			cfg := UpConfig{Stack: stack.RenderOptions{Namespace: "demo", Variants: variants[tt.variant],
				Image: stack.DefaultImage, PostgresImage: stack.DefaultPostgresImage}, DB: DB(tt.db)}
			if err := PrintStack(&out, cfg); err != nil {
				t.Fatal(err)
			}
			printed := out.String()
			if strings.Contains(printed, "initwait-demo-not-secret") || strings.Contains(printed, "kind: Secret") {
				t.Errorf("a Secret or the manifests' password is printed:\n%s", printed)
			}
			var got []string
			referenced := map[string]bool{} // keys of the Secret the Deployments read
			reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(printed)))
			for {
				doc, err := reader.Read()
				if err != nil {
					break
				}
				var meta struct {
					Kind     string
					Metadata struct{ Name, Namespace string }
				}
				if err := yaml.Unmarshal(doc, &meta); err != nil || meta.Kind == "" {
					continue // the leading comments
				}
				got = append(got, meta.Kind+"/"+meta.Metadata.Name)
				if meta.Kind != "Namespace" && meta.Metadata.Namespace != "demo" {
					t.Errorf("%s/%s in namespace %q", meta.Kind, meta.Metadata.Name, meta.Metadata.Namespace)
				}
				if meta.Kind == "Deployment" {
					var d appsv1.Deployment
					if err := yaml.UnmarshalStrict(doc, &d); err != nil {
						t.Fatalf("deployment %s does not decode strictly: %v", meta.Metadata.Name, err)
					}
					spec := d.Spec.Template.Spec
					for _, c := range append(spec.InitContainers, spec.Containers...) {
						for _, e := range c.Env {
							if r := e.ValueFrom; r != nil && r.SecretKeyRef != nil && r.SecretKeyRef.Name == stack.SecretName {
								referenced[r.SecretKeyRef.Key] = true
							}
						}
					}
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("printed %v\nwant    %v", got, tt.want)
			}
			created := secretFromComments(t, printed)
			for key := range referenced {
				if _, ok := created.StringData[key]; !ok {
					t.Errorf("the commands in the comments make no key %q, which the Deployments read", key)
				}
			}
			if created.Labels[stack.LabelManagedBy] != stack.ManagedBy || created.Labels[stack.LabelPartOf] != stack.PartOf {
				t.Errorf("the commands label the Secret %v; want managed-by and part-of, for down", created.Labels)
			}
		})
	}
}

var (
	literalFlag = regexp.MustCompile(`--from-literal=([A-Za-z0-9_.-]+)=`)
	labelArg    = regexp.MustCompile(`([a-z0-9./-]+)=([A-Za-z0-9._-]+)`)
)

// secretFromComments reads, from the comment block at the top of printed,
// the Secret that its kubectl create secret and label commands make.
func secretFromComments(t *testing.T, printed string) corev1.Secret {
	t.Helper()
	s := corev1.Secret{StringData: map[string]string{}}
	s.Labels = map[string]string{}
	creating := false
	for _, line := range strings.Split(printed, "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		switch {
		case strings.Contains(line, "create secret generic "+stack.SecretName):
			creating = true
		case strings.Contains(line, "label secret "+stack.SecretName):
			_, args, _ := strings.Cut(line, "label secret "+stack.SecretName)
			for _, m := range labelArg.FindAllStringSubmatch(args, -1) {
				s.Labels[m[1]] = m[2]
			}
		}
		if creating {
			for _, m := range literalFlag.FindAllStringSubmatch(line, -1) {
				s.StringData[m[1]] = "x"
			}
			creating = strings.HasSuffix(line, `\`)
		}
	}
	if len(s.StringData) == 0 {
		t.Fatalf("no kubectl create secret generic %s command in the comments:\n%s", stack.SecretName, printed)
	}
	return s
}
