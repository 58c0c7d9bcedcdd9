package apppack

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Module is a Go module linked into a shipped binary.
type Module struct {
	Path, Version, Licence string
}

// Modules reads the modules linked into the given binaries from their
// build information (what "go version -m" prints), sorted and once each.
func Modules(binaries []string) ([]Module, error) {
	seen := map[string]Module{}
	for _, b := range binaries {
		info, err := buildinfo.ReadFile(b)
		if err != nil {
			return nil, fmt.Errorf("apppack: build info of %s: %w", b, err)
		}
		for _, d := range info.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			seen[d.Path+"@"+d.Version] = Module{Path: d.Path, Version: d.Version}
		}
	}
	out := make([]Module, 0, len(seen))
	for _, m := range seen {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// licenceFiles are the names Go modules keep their licence under.
var licenceFiles = []string{"LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "COPYING"}

// withoutLicenceFile lists, after review, modules whose published source
// carries no licence file at all, with what is known instead; the README's
// table shows that text. Anything else without a licence file stops the
// build.
var withoutLicenceFile = map[string]string{
	// Linked by github.com/splunk/splunk-cloud-sdk-go (Apache-2.0), the SCS
	// sink's required SDK; Splunk's repository has no licence file.
	"github.com/splunk/go-dependencies": "none declared (Splunk's, used by splunk-cloud-sdk-go, Apache-2.0)",
}

// FillLicences finds each module's licence file in the module cache and
// names the licence.
func FillLicences(mods []Module, modCache string) error {
	for i, m := range mods {
		if note, ok := withoutLicenceFile[m.Path]; ok {
			mods[i].Licence = note
			continue
		}
		dir := filepath.Join(modCache, escapePath(m.Path)+"@"+m.Version)
		var text []byte
		for _, n := range licenceFiles {
			if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
				text = b
				break
			}
		}
		if text == nil {
			return fmt.Errorf("apppack: no licence file for %s %s in %s (run go mod download)", m.Path, m.Version, dir)
		}
		mods[i].Licence = classify(string(text))
		if mods[i].Licence == "" {
			return fmt.Errorf("apppack: cannot tell the licence of %s %s: add its text to classify", m.Path, m.Version)
		}
	}
	return nil
}

// escapePath is the module cache's spelling of a module path: each upper
// case letter becomes "!" and its lower case (golang.org/x/mod/module).
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// classify names a licence from its text.
func classify(t string) string {
	t = strings.Join(strings.Fields(t), " ")
	switch {
	case strings.Contains(t, "Apache License") && strings.Contains(t, "Version 2.0"):
		return "Apache-2.0"
	case strings.Contains(t, "Mozilla Public License Version 2.0"):
		return "MPL-2.0"
	case strings.Contains(t, "Permission is hereby granted, free of charge"):
		return "MIT"
	case strings.Contains(t, "Permission to use, copy, modify, and/or distribute this software for any purpose"),
		strings.Contains(t, "Permission to use, copy, modify, and distribute this software for any purpose"):
		return "ISC"
	case strings.Contains(t, "Redistribution and use in source and binary forms"):
		if strings.Contains(t, "Neither the name") || strings.Contains(t, "names of its contributors") {
			return "BSD-3-Clause"
		}
		return "BSD-2-Clause"
	}
	return ""
}

// ModulesTable renders mods as the Markdown table the README carries.
func ModulesTable(mods []Module) string {
	var b strings.Builder
	b.WriteString("| module | version | licence |\n|---|---|---|\n")
	for _, m := range mods {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", m.Path, m.Version, m.Licence)
	}
	return b.String()
}
