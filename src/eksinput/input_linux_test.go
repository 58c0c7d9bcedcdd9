//go:build linux

package eksinput

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/modinput"
	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
)

// TestOpen_RefusesACheckpointItCannotSave verifies that Open fails, before
// anything can be read, when the checkpoint directory can take a small file
// but not a save with room for a page: here a file size limit
// (RLIMIT_FSIZE, which makes writes past it fail as a full disk does; Go
// ignores the SIGXFSZ that comes with it). The lock is released.
func TestOpen_RefusesACheckpointItCannotSave(t *testing.T) {
	dir := t.TempDir()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip("no RLIMIT_FSIZE:", err)
	}
	limit := old
	limit.Cur = 64 << 10
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Skip("cannot lower RLIMIT_FSIZE:", err)
	}
	cfg, err := eksconf.ParseStanza(modinput.Stanza{Name: "prod", Params: map[string]string{"aws_region": "us-east-1", "cluster_name": "prod"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	log, _ := logtest.NewNullLogger()
	in := &Input{Cfg: cfg, Log: logrus.NewEntry(log)}
	err = in.Open(dir)
	if rerr := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); rerr != nil {
		t.Fatal(rerr)
	}
	if err == nil {
		in.Close()
		t.Fatal("Open succeeded although a save with room for a page cannot be written")
	}
	if !strings.Contains(err.Error(), "the checkpoint cannot be saved") || !strings.Contains(err.Error(), "file too large") {
		t.Errorf("error %q", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	s, err := checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatalf("the lock was not released: %v", err)
	}
	s.Close()
}
