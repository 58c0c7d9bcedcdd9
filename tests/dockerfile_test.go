package tests

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDockerfile_CopiesAMakeOutput verifies the Dockerfile (not built in
// CI: there is no container runtime) copies the static binary that "make
// build" writes, onto a distroless static base.
func TestDockerfile_CopiesAMakeOutput(t *testing.T) {
	root := repoRoot(t)
	f, err := os.Open(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var from string
	var copies [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			from = fields[1]
		case "COPY":
			copies = append(copies, fields[1:])
		}
	}
	if !strings.HasPrefix(from, "gcr.io/distroless/static") {
		t.Errorf("base image %q is not distroless static", from)
	}
	if len(copies) != 1 || len(copies[0]) != 2 {
		t.Fatalf("COPY lines %v, want one COPY <src> <dst>", copies)
	}
	src := copies[0][0]
	build, err := exec.Command("make", "-C", root, "-n", "-B", "build").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build: %v\n%s", err, build)
	}
	found := false
	for _, line := range strings.Split(string(build), "\n") {
		if strings.Contains(line, "go build") && strings.Contains(line, "-o "+src+" ") {
			found = true
			if !strings.Contains(line, "CGO_ENABLED=0") || !strings.Contains(line, "./src/cmd/eks_logs") {
				t.Errorf("make builds %s without CGO_ENABLED=0 from ./src/cmd/eks_logs: %s", src, line)
			}
		}
	}
	if !found {
		t.Errorf("COPY source %s is not written by make build:\n%s", src, build)
	}
}
