package stack

import (
	"reflect"
	"testing"
)

func TestSplitDatabase(t *testing.T) {
	objs := mustRender(t, RenderOptions{Variants: []Variant{VariantInit, VariantNaive}, Database: true})
	rest, db := SplitDatabase(objs)
	if got, want := names(db), []string{"service/postgres", "deployment.apps/postgres"}; !reflect.DeepEqual(got, want) {
		t.Errorf("database part %v, want %v", got, want)
	}
	want := []string{"configmap/app-config", "secret/database-secret-config", "service/webapp", "deployment.apps/webapp", "deployment.apps/webapp-naive"}
	if got := names(rest); !reflect.DeepEqual(got, want) {
		t.Errorf("first part %v, want %v", got, want)
	}
}

func TestDeployedKinds(t *testing.T) {
	kinds, err := DeployedKinds()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range kinds {
		got = append(got, k.Kind)
	}
	if want := []string{"Deployment", "Service", "Secret", "ConfigMap"}; !reflect.DeepEqual(got, want) {
		t.Errorf("kinds %v, want %v", got, want)
	}
}

func TestParseVariant(t *testing.T) {
	for _, v := range Variants {
		if got, err := ParseVariant(string(v)); err != nil || got != v || v.Deployment() == "" {
			t.Errorf("ParseVariant(%q) = %q, %v", v, got, err)
		}
	}
	if _, err := ParseVariant("both"); err == nil {
		t.Error("ParseVariant(both) accepted")
	}
}
