package kubeenrich_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/kubeenrich"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{"1024": 1024, "2GiB": 2 << 30, "512MiB": 512 << 20, "64k": 64 << 10, "3 GB": 3 << 30, "1M": 1 << 20}
	for in, want := range good {
		if got, err := kubeenrich.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "2TiB", "lots", "99999999999G"} {
		if _, err := kubeenrich.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded, want an error", in)
		}
	}
}

func runMain(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := kubeenrich.Main(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMain_Modes(t *testing.T) {
	if code, out, _ := runMain(t, "", "--version"); code != 0 || !strings.HasPrefix(out, "kubeenrich ") {
		t.Errorf("--version: %d %q", code, out)
	}
	if code, _, errOut := runMain(t, "", "--max-chunk-size=lots"); code != 2 || !strings.Contains(errOut, `kubeenrich: --max-chunk-size: size "lots" is not a positive number of bytes`) {
		t.Errorf("bad size: %d %q", code, errOut)
	}
	if code, _, errOut := runMain(t, "", "--max-chunk-size=4GiB"); code != 2 || !strings.Contains(errOut, "above the") {
		t.Errorf("too large a size: %d %q", code, errOut)
	}
	for _, c := range []struct{ arg, want string }{
		{"--pipe-buffer=lots", `kubeenrich: --pipe-buffer: size "lots" is not a positive number of bytes`},
		{"--pipe-buffer=-1", `kubeenrich: --pipe-buffer: size "-1" is not a positive number of bytes`},
		{"--pipe-buffer=1GiB", "--pipe-buffer 1GiB is above the 64MiB kubeenrich accepts"},
		{"--pipe-buffer=0X", `kubeenrich: --pipe-buffer: size "0X"`},
	} {
		if code, _, errOut := runMain(t, "", c.arg); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", c.arg, code, errOut, c.want)
		}
	}
	for _, arg := range []string{"--pipe-buffer=0", "--pipe-buffer=0KiB", "--pipe-buffer=00", "--pipe-buffer=1MiB", "--pipe-buffer=65536"} {
		if code, _, errOut := runMain(t, "", arg); code != 0 {
			t.Errorf("%s: exit %d, stderr %q", arg, code, errOut)
		}
	}
	if code, _, errOut := runMain(t, "", "extra"); code != 2 || !strings.Contains(errOut, `unexpected argument "extra"`) {
		t.Errorf("extra argument: %d %q", code, errOut)
	}
	// No request at all is a quiet, successful end.
	if code, out, errOut := runMain(t, ""); code != 0 || out != "" || errOut != "" {
		t.Errorf("empty stdin: %d %q %q", code, out, errOut)
	}
	ev := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get","user":{"username":"system:anonymous"},"sourceIPs":["203.0.113.1"]}`
	code, out, errOut := runMain(t, ev, "replay", "--json", "--fields", "k8s_user_kind,eks_cluster_name", "--cluster", "c9", "-")
	if code != 0 || out != `{"k8s_user_kind":"anonymous","eks_cluster_name":"c9"}`+"\n" {
		t.Errorf("replay: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runMain(t, ev, "replay", "-", "bogus=1"); code != 1 || !strings.Contains(errOut, `unknown option "bogus"`) {
		t.Errorf("replay with a bad option: %d %q", code, errOut)
	}
	if code, _, errOut := runMain(t, "", "replay", "/does/not/exist.jsonl"); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Errorf("replay of a missing file: %d %q", code, errOut)
	}
}
