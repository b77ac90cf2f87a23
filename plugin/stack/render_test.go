package stack

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/api/krusty"

	"github.com/kubectl-initwait/kubectl-initwait/manifests"
)

func names(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, Ref(o))
	}
	return out
}

func mustRender(t *testing.T, o RenderOptions) []*unstructured.Unstructured {
	t.Helper()
	objs, err := Render(o)
	if err != nil {
		t.Fatalf("Render(%+v): %v", o, err)
	}
	return objs
}

func TestRenderSelectsVariants(t *testing.T) {
	shared := []string{"configmap/app-config", "secret/database-secret-config"}
	tests := []struct {
		name     string
		opts     RenderOptions
		want     []string
		database bool
	}{
		{"init with database", RenderOptions{Variants: []Variant{VariantInit}, Database: true},
			append(shared, "service/postgres", "service/webapp", "deployment.apps/postgres", "deployment.apps/webapp"), true},
		{"naive without database", RenderOptions{Variants: []Variant{VariantNaive}},
			append(shared, "service/webapp", "deployment.apps/webapp-naive"), false},
		{"both", RenderOptions{Variants: []Variant{VariantInit, VariantNaive}, Database: true},
			append(shared, "service/postgres", "service/webapp", "deployment.apps/postgres", "deployment.apps/webapp", "deployment.apps/webapp-naive"), true},
		{"all three, duplicates ignored", RenderOptions{Variants: []Variant{VariantWaitDB, VariantInit, VariantNaive, VariantInit}},
			append(shared, "service/webapp", "deployment.apps/webapp", "deployment.apps/webapp-naive", "deployment.apps/webapp-waitdb"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := names(mustRender(t, tt.opts))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("objects:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestRenderRejects(t *testing.T) {
	tests := []struct {
		name string
		opts RenderOptions
		want string
	}{
		{"no variant", RenderOptions{}, "no webapp variant"},
		{"unknown variant", RenderOptions{Variants: []Variant{"sidecar"}}, `unknown variant "sidecar"`},
		{"bad image", RenderOptions{Variants: []Variant{VariantInit}, Image: "Not An Image"}, "invalid image reference"},
		{"bad postgres image", RenderOptions{Variants: []Variant{VariantInit}, PostgresImage: "pg:"}, "invalid image reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Render error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// podSpecs returns the pod template specs of the Deployments in objs.
func podTemplates(t *testing.T, objs []*unstructured.Unstructured) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, o := range objs {
		if o.GetKind() != "Deployment" {
			continue
		}
		tpl, ok, err := unstructured.NestedMap(o.Object, "spec", "template")
		if !ok || err != nil {
			t.Fatalf("%s: no pod template (%v)", Ref(o), err)
		}
		out[o.GetName()] = tpl
	}
	return out
}

func containers(tpl map[string]any) (inits, apps []map[string]any) {
	get := func(field string) []map[string]any {
		list, _, _ := unstructured.NestedSlice(tpl, "spec", field)
		var out []map[string]any
		for _, c := range list {
			out = append(out, c.(map[string]any))
		}
		return out
	}
	return get("initContainers"), get("containers")
}

func TestRenderNamespaceAndLabelsEverywhere(t *testing.T) {
	objs := mustRender(t, RenderOptions{Namespace: "demo-x", Variants: Variants, Database: true})
	for _, o := range objs {
		if o.GetNamespace() != "demo-x" {
			t.Errorf("%s: namespace %q", Ref(o), o.GetNamespace())
		}
		l := o.GetLabels()
		if l[LabelManagedBy] != ManagedBy || l[LabelPartOf] != PartOf || l[LabelName] == "" {
			t.Errorf("%s: labels %v", Ref(o), l)
		}
		if c := l[LabelComponent]; c != "webapp" && c != "database" {
			t.Errorf("%s: component %q", Ref(o), c)
		}
	}
	webapps := labels.SelectorFromSet(nil)
	var err error
	if webapps, err = labels.Parse(WebappPodSelector); err != nil {
		t.Fatal(err)
	}
	db, _ := labels.Parse(DatabasePodSelector)
	managed, _ := labels.Parse(ManagedSelector)
	for name, tpl := range podTemplates(t, objs) {
		l, _, _ := unstructured.NestedStringMap(tpl, "metadata", "labels")
		set := labels.Set(l)
		if !managed.Matches(set) {
			t.Errorf("%s: pod labels %v miss %s", name, l, ManagedSelector)
		}
		isWeb := strings.HasPrefix(name, "webapp")
		if webapps.Matches(set) != isWeb || db.Matches(set) == isWeb {
			t.Errorf("%s: pod labels %v: webapp selector %v, database selector %v", name, l, webapps.Matches(set), db.Matches(set))
		}
	}
}

func TestRenderSecurityAndResources(t *testing.T) {
	objs := mustRender(t, RenderOptions{Variants: Variants, Database: true})
	for name, tpl := range podTemplates(t, objs) {
		if v, _, _ := unstructured.NestedBool(tpl, "spec", "securityContext", "runAsNonRoot"); !v {
			t.Errorf("%s: pod not runAsNonRoot", name)
		}
		if v, _, _ := unstructured.NestedString(tpl, "spec", "securityContext", "seccompProfile", "type"); v != "RuntimeDefault" {
			t.Errorf("%s: seccomp %q", name, v)
		}
		inits, apps := containers(tpl)
		for _, c := range append(inits, apps...) {
			id := name + "/" + c["name"].(string)
			if v, _, _ := unstructured.NestedBool(c, "securityContext", "readOnlyRootFilesystem"); !v {
				t.Errorf("%s: root filesystem writable", id)
			}
			if v, ok, _ := unstructured.NestedBool(c, "securityContext", "allowPrivilegeEscalation"); !ok || v {
				t.Errorf("%s: allowPrivilegeEscalation not false", id)
			}
			if v, _, _ := unstructured.NestedStringSlice(c, "securityContext", "capabilities", "drop"); !reflect.DeepEqual(v, []string{"ALL"}) {
				t.Errorf("%s: capabilities drop %v", id, v)
			}
			for _, r := range []string{"requests", "limits"} {
				if v, _, _ := unstructured.NestedStringMap(c, "resources", r); v["cpu"] == "" || v["memory"] == "" {
					t.Errorf("%s: resources.%s %v", id, r, v)
				}
			}
		}
	}
}

func TestWebappVariantsDifferOnlyInInitContainers(t *testing.T) {
	tpls := podTemplates(t, mustRender(t, RenderOptions{Variants: Variants}))
	wantInits := map[string][]string{"webapp": {"check-db-ready"}, "webapp-naive": nil, "webapp-waitdb": {"wait-db"}}
	var ref []map[string]any
	for _, name := range []string{"webapp", "webapp-naive", "webapp-waitdb"} {
		inits, apps := containers(tpls[name])
		var got []string
		for _, c := range inits {
			got = append(got, c["name"].(string))
		}
		if !reflect.DeepEqual(got, wantInits[name]) {
			t.Errorf("%s: init containers %v, want %v", name, got, wantInits[name])
		}
		if ref == nil {
			ref = apps
			if len(apps) != 1 || apps[0]["name"] != "go-url-shortener" {
				t.Fatalf("webapp containers: %v", apps)
			}
			continue
		}
		if !reflect.DeepEqual(apps, ref) {
			t.Errorf("%s: app container drifted from webapp's", name)
		}
	}
	check, _ := containers(tpls["webapp"])
	if cmd := strings.Join(toStrings(check[0]["command"]), " "); !strings.Contains(cmd, "until pg_isready -h postgres -p 5432; do echo waiting for database; sleep 2; done") {
		t.Errorf("check-db-ready command = %q", cmd)
	}
	wait, _ := containers(tpls["webapp-waitdb"])
	if args := toStrings(wait[0]["args"]); !reflect.DeepEqual(args, []string{"wait-db", "--interval", "200ms", "--attempt-timeout", "500ms"}) {
		t.Errorf("wait-db args = %v", args)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

func TestRenderImages(t *testing.T) {
	tests := []struct {
		name              string
		image, pg         string
		wantShort, wantPG string
	}{
		{"defaults", "", "", DefaultImage, DefaultPostgresImage},
		{"same as default", DefaultImage, DefaultPostgresImage, DefaultImage, DefaultPostgresImage},
		{"tags", "localhost:5000/me/shortener:dev", "postgres:16", "localhost:5000/me/shortener:dev", "postgres:16"},
		{"no tag means latest", "me/shortener", "", "me/shortener:latest", DefaultPostgresImage},
		{"tag and digest", "me/s:v1@sha256:" + strings.Repeat("ab", 32), "", "me/s:v1@sha256:" + strings.Repeat("ab", 32), DefaultPostgresImage},
		{"digest", "me/s@sha256:" + strings.Repeat("ab", 32), "", "me/s@sha256:" + strings.Repeat("ab", 32), DefaultPostgresImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpls := podTemplates(t, mustRender(t, RenderOptions{Variants: Variants, Database: true, Image: tt.image, PostgresImage: tt.pg}))
			got := map[string]string{}
			for name, tpl := range tpls {
				inits, apps := containers(tpl)
				for _, c := range append(inits, apps...) {
					got[name+"/"+c["name"].(string)] = c["image"].(string)
				}
			}
			want := map[string]string{
				"postgres/postgres":              tt.wantPG,
				"webapp/check-db-ready":          tt.wantPG,
				"webapp/go-url-shortener":        tt.wantShort,
				"webapp-naive/go-url-shortener":  tt.wantShort,
				"webapp-waitdb/wait-db":          tt.wantShort,
				"webapp-waitdb/go-url-shortener": tt.wantShort,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("images:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestRenderSecretHasDataNotStringData(t *testing.T) {
	s := FindSecret(mustRender(t, RenderOptions{Variants: []Variant{VariantInit}}))
	if s == nil {
		t.Fatal("no Secret rendered")
	}
	if _, ok := s.Object["stringData"]; ok {
		t.Error("stringData left in the rendered Secret")
	}
	data, err := SecretData(s)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !reflect.DeepEqual(keys, []string{"dbname", "password", "username"}) {
		t.Errorf("secret keys %v", keys)
	}
}

// TestOverlaysMatchRender proves that `kubectl apply -k manifests/overlays/X`
// and `up` deploy the same objects: one source of truth.
func TestOverlaysMatchRender(t *testing.T) {
	overlays := map[string][]Variant{
		"init": {VariantInit}, "naive": {VariantNaive},
		"both": {VariantInit, VariantNaive}, "compare": {VariantInit, VariantNaive, VariantWaitDB},
	}
	entries, err := manifests.FS.ReadDir(manifests.OverlaysDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(overlays) {
		t.Fatalf("%d overlays in the tree, test knows %d", len(entries), len(overlays))
	}
	fsys, err := memTree()
	if err != nil {
		t.Fatal(err)
	}
	for name, variants := range overlays {
		t.Run(name, func(t *testing.T) {
			rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, "/"+manifests.OverlaysDir+"/"+name)
			if err != nil {
				t.Fatal(err)
			}
			y, _ := rm.AsYaml()
			fromOverlay, err := decodeYAML(y)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range fromOverlay {
				if o.GetKind() == "Secret" {
					if err := normalizeSecret(o); err != nil {
						t.Fatal(err)
					}
				}
			}
			sortForApply(fromOverlay)
			fromRender := mustRender(t, RenderOptions{Variants: variants, Database: true})
			if !reflect.DeepEqual(fromOverlay, fromRender) {
				t.Errorf("overlay %s differs from Render:\n overlay %v\n render  %v", name, names(fromOverlay), names(fromRender))
			}
		})
	}
}
