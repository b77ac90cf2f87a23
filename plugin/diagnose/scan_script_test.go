package diagnose

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	metadatafake "k8s.io/client-go/metadata/fake"
)

// TestScanReadsScriptConfigMapsOnce: a scan reads only the names of
// ConfigMaps, except one a blocking container runs a script from: that one
// is read in full, once however many pods run it, and the script is parsed
// as if inline.
func TestScanReadsScriptConfigMapsOnce(t *testing.T) {
	scripts := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "scripts", Namespace: ns},
		Data: map[string]string{"wait.sh": "#!/bin/sh\nuntil pg_isready -h \"$1\" -p 5432; do sleep 1; done\n"}}
	objs := []runtime.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, scripts}
	for i := range 3 {
		p := webappPod(fmt.Sprintf("webapp-%d", i), "unused")
		p.Spec.Volumes = []corev1.Volume{{Name: "scripts", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "scripts"}, DefaultMode: ptr(int32(0o755))}}}}
		p.Spec.InitContainers[0].VolumeMounts = mount("scripts", "/scripts")
		p.Spec.InitContainers[0].Command = []string{"/scripts/wait.sh", "postgres"}
		objs = append(objs, p)
	}
	d, client, _ := newScanner(t, objs, -1)
	scheme := metadatafake.NewTestScheme()
	metav1.AddMetaToScheme(scheme)
	meta := metadatafake.NewSimpleMetadataClient(scheme, &metav1.PartialObjectMetadata{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: metav1.ObjectMeta{Name: "scripts", Namespace: ns}})
	d.Metadata = meta
	client.ClearActions()
	rep, err := d.Scan(context.Background(), ns, false)
	if err != nil {
		t.Fatal(err)
	}
	got := requests(client.Actions(), meta.Actions())
	if got["get configmaps"] != 1 || got["list configmaps"] != 1 {
		t.Errorf("requests %v: want one list of ConfigMap names and one get of the script's", got)
	}
	if rep.Problems != 3 || len(rep.Groups) != 1 || rep.Groups[0].Cause != CauseMissingService {
		t.Fatalf("%d problems, groups %+v", rep.Problems, rep.Groups)
	}
	if v := rep.Groups[0].Pods[0].Verdict; !strings.Contains(v, `waits for postgres:5432, but Service "postgres" does not exist`) {
		t.Errorf("verdict %q", v)
	}
}
