package stack

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestResolveSecretData(t *testing.T) {
	rendered := map[string][]byte{"dbname": []byte("shortener"), "username": []byte("shortener"), "password": []byte("initwait-demo-not-secret")}
	gen := func() (string, error) { return "GENERATED", nil }
	tests := []struct {
		name          string
		existing      map[string][]byte
		want          map[string][]byte
		wantGenerated bool
	}{
		{"first install generates, never uses the manifest's password", nil,
			map[string][]byte{"dbname": []byte("shortener"), "username": []byte("shortener"), "password": []byte("GENERATED")}, true},
		{"re-apply keeps everything", map[string][]byte{"dbname": []byte("db"), "username": []byte("u"), "password": []byte("old")},
			map[string][]byte{"dbname": []byte("db"), "username": []byte("u"), "password": []byte("old")}, false},
		{"kept password, missing keys filled", map[string][]byte{"password": []byte("old"), "extra": []byte("x")},
			map[string][]byte{"dbname": []byte("shortener"), "username": []byte("shortener"), "password": []byte("old"), "extra": []byte("x")}, false},
		{"empty password is replaced", map[string][]byte{"dbname": []byte("db"), "password": {}},
			map[string][]byte{"dbname": []byte("db"), "username": []byte("shortener"), "password": []byte("GENERATED")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, generated, err := ResolveSecretData(rendered, tt.existing, gen)
			if err != nil {
				t.Fatal(err)
			}
			if generated != tt.wantGenerated || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q generated=%v; want %q generated=%v", got, generated, tt.want, tt.wantGenerated)
			}
		})
	}
	_, _, err := ResolveSecretData(rendered, nil, func() (string, error) { return "", errors.New("no entropy") })
	if err == nil || !strings.Contains(err.Error(), "no entropy") {
		t.Errorf("generator failure: err = %v", err)
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw, err := GeneratePassword(32)
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 32 || strings.Trim(pw, passwordAlphabet) != "" {
			t.Fatalf("password %q: wrong length or alphabet", pw)
		}
		if seen[pw] {
			t.Fatalf("password %q repeated", pw)
		}
		seen[pw] = true
	}
}

func TestSecretRoundTripAndRedact(t *testing.T) {
	objs := mustRender(t, RenderOptions{Variants: []Variant{VariantInit}})
	s := FindSecret(objs)
	want := map[string][]byte{"dbname": []byte("d"), "username": []byte("u"), "password": []byte("p\x00w")}
	if err := SetSecretData(s, want); err != nil {
		t.Fatal(err)
	}
	got, err := SecretData(s)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip: %q, %v", got, err)
	}
	if !RedactPassword(objs) {
		t.Fatal("RedactPassword found no password")
	}
	y, _ := WriteYAML(objs)
	if strings.Contains(string(y), "password:") && !strings.Contains(string(y), "key: password") {
		t.Errorf("password still printed:\n%s", y)
	}
	if got, _ := SecretData(s); len(got["password"]) != 0 || string(got["dbname"]) != "d" {
		t.Errorf("after redaction: %q", got)
	}
	if RedactPassword(objs) {
		t.Error("second RedactPassword reported a password")
	}
}

func TestHoldsManifestPassword(t *testing.T) {
	objs := mustRender(t, RenderOptions{Variants: []Variant{VariantInit}})
	rendered, err := SecretData(FindSecret(objs))
	if err != nil {
		t.Fatal(err)
	}
	manifest := append([]byte(nil), rendered[PasswordKey]...)
	if len(manifest) == 0 {
		t.Fatal("the rendered Secret has no password: the manifests' placeholder is gone, update this test")
	}
	for _, tc := range []struct {
		name     string
		existing map[string][]byte
		want     bool
	}{
		{"installed by kubectl apply -k", map[string][]byte{PasswordKey: manifest}, true},
		{"installed by up", map[string][]byte{PasswordKey: []byte("Xq3...generated")}, false},
		{"no Secret yet", nil, false},
		{"Secret without password", map[string][]byte{"dbname": []byte("shortener")}, false},
	} {
		if got := HoldsManifestPassword(rendered, tc.existing); got != tc.want {
			t.Errorf("%s: HoldsManifestPassword = %v, want %v", tc.name, got, tc.want)
		}
	}
	if HoldsManifestPassword(map[string][]byte{}, map[string][]byte{}) {
		t.Error("empty passwords count as the manifests' one")
	}
}
