package apppack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"Apache License\n Version 2.0, January 2004", "Apache-2.0"},
		{"Permission is hereby granted, free of charge, to any person", "MIT"},
		{"Redistribution and use in source and binary forms ... Neither the name of Google", "BSD-3-Clause"},
		{"Redistribution and use in source and binary forms, with or without", "BSD-2-Clause"},
		{"Mozilla Public License Version 2.0", "MPL-2.0"},
		{"all rights reserved", ""},
	} {
		if got := classify(tc.text); got != tc.want {
			t.Errorf("classify(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestEscapePath(t *testing.T) {
	if got := escapePath("github.com/BurntSushi/toml"); got != "github.com/!burnt!sushi/toml" {
		t.Errorf("escapePath = %q", got)
	}
}

func TestStage_RejectsBadVersionAndStampsAppConf(t *testing.T) {
	if err := Stage(Config{Version: "1.2"}); err == nil || !strings.Contains(err.Error(), "Major.Minor.Revision") {
		t.Errorf("Stage with version 1.2: err = %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "app.conf")
	os.WriteFile(p, []byte("[install]\nbuild = 0\n\n[id]\nversion = 0.0.0\n\n[launcher]\nversion = 0.0.0\n"), 0o644)
	if err := stamp(p, []replacement{{versionLineRE, "version = 1.2.3"}}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if strings.Count(string(b), "version = 1.2.3") != 2 || strings.Contains(string(b), "0.0.0") {
		t.Errorf("stamped app.conf:\n%s", b)
	}
	if err := stamp(p, []replacement{{versionLineRE, "x"}}); err != nil {
		t.Fatal(err)
	}
	if err := stamp(filepath.Join(dir, "app.conf"), []replacement{{buildLineRE, "build = 2"}}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, []byte("[ui]\nlabel = x\n"), 0o644)
	if err := stamp(p, []replacement{{versionLineRE, "version = 1.2.3"}}); err == nil {
		t.Error("stamping a file without a version line succeeded")
	}
}
