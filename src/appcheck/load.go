package appcheck

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/kubelens/kubelens/src/splunkconf"
)

// app is an extracted package, read once.
type app struct {
	dir   string
	files []fileInfo
	// confs are default/*.conf by name without ".conf" ("macros").
	confs map[string]*splunkconf.File
	// meta are metadata/*.meta by file name ("default.meta").
	meta map[string]*splunkconf.File
	// specs are README/*.conf.spec by conf name ("inputs").
	specs map[string]*splunkconf.File
	// schemes caches each modular input's --scheme arguments.
	schemes map[string]schemeResult
}

type fileInfo struct {
	rel   string // slash-separated, relative to the app folder
	mode  fs.FileMode
	isDir bool
}

func (a *app) path(rel string) string { return filepath.Join(a.dir, filepath.FromSlash(rel)) }

func (a *app) exists(rel string) bool {
	_, err := os.Stat(a.path(rel))
	return err == nil
}

func (a *app) conf(name string) *splunkconf.File { return a.confs[name] }

// load walks the app folder and parses its conf, meta and spec files;
// syntax errors become conf-syntax findings.
func load(dir string) (*app, []Finding) {
	a := &app{dir: dir, confs: map[string]*splunkconf.File{}, meta: map[string]*splunkconf.File{}, specs: map[string]*splunkconf.File{}, schemes: map[string]schemeResult{}}
	var findings []Finding
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		a.files = append(a.files, fileInfo{rel: filepath.ToSlash(rel), mode: info.Mode(), isDir: d.IsDir()})
		return nil
	})
	if err != nil {
		findings = append(findings, Finding{Check: CheckArchive, Msg: fmt.Sprintf("cannot read the app folder: %v", err)})
	}
	sort.Slice(a.files, func(i, j int) bool { return a.files[i].rel < a.files[j].rel })
	for _, f := range a.files {
		if f.isDir {
			continue
		}
		var mode splunkconf.Mode
		var into map[string]*splunkconf.File
		var key string
		switch dirName, base := filepath.Split(filepath.FromSlash(f.rel)); {
		case filepath.ToSlash(dirName) == "default/" && strings.HasSuffix(base, ".conf"):
			mode, into, key = splunkconf.Conf, a.confs, strings.TrimSuffix(base, ".conf")
		case filepath.ToSlash(dirName) == "metadata/" && strings.HasSuffix(base, ".meta"):
			mode, into, key = splunkconf.Conf, a.meta, base
		case filepath.ToSlash(dirName) == "README/" && strings.HasSuffix(base, ".conf.spec"):
			mode, into, key = splunkconf.Spec, a.specs, strings.TrimSuffix(base, ".conf.spec")
		default:
			continue
		}
		b, err := os.ReadFile(a.path(f.rel))
		if err != nil {
			findings = append(findings, Finding{Check: CheckConfSyntax, Path: f.rel, Msg: err.Error()})
			continue
		}
		parsed, err := splunkconf.ParseBytes(b, f.rel, mode)
		if err != nil {
			findings = append(findings, Finding{Check: CheckConfSyntax, Path: f.rel, Msg: strings.TrimPrefix(err.Error(), "splunkconf: ")})
			continue
		}
		into[key] = parsed
		if mode == splunkconf.Spec {
			findings = append(findings, settingLikeDescriptions(f.rel, b)...)
		}
	}
	return a, findings
}

// settingLike is a line a spec parser reads as a setting: key = value.
var settingLike = regexp.MustCompile(`^[^\s*#\[=][^=]*=`)

// settingLikeDescriptions finds description lines of a .spec file that
// other spec parsers (splunkd's, AppInspect's) read as a setting: an
// indented continuation such as "(index=_internal ...)" is a setting named
// "(index" to them, and the spec then declares a parameter --scheme does
// not. Description lines start with "*"; a continuation must not look like
// key = value.
func settingLikeDescriptions(rel string, b []byte) []Finding {
	var out []Finding
	for i, raw := range strings.Split(string(b), "\n") {
		if raw == "" || (raw[0] != ' ' && raw[0] != '\t') {
			continue
		}
		line := strings.TrimSpace(raw)
		if settingLike.MatchString(line) {
			key, _, _ := strings.Cut(line, "=")
			out = append(out, Finding{Check: CheckConfSyntax, Path: rel, Msg: fmt.Sprintf("line %d: the description line %q reads as a setting named %q to spec parsers: start it with \"*\" or reword it", i+1, line, strings.TrimSpace(key))})
		}
	}
	return out
}

// search is one SPL search the app ships, with where it comes from.
type search struct {
	path  string // file
	where string // stanza or panel
	text  string
	// fragment marks macro definitions and event type searches: parts of
	// a search, not searches.
	fragment bool
}

// searches lists every search of the app: saved searches, event types,
// dashboard queries and macro definitions.
func (a *app) searches() []search {
	var out []search
	if f := a.conf("savedsearches"); f != nil {
		for _, s := range f.Stanzas {
			if v, ok := s.Get("search"); ok {
				out = append(out, search{path: f.Name, where: "[" + s.Name + "]", text: v})
			}
		}
	}
	if f := a.conf("eventtypes"); f != nil {
		for _, s := range f.Stanzas {
			if v, ok := s.Get("search"); ok {
				out = append(out, search{path: f.Name, where: "[" + s.Name + "]", text: v, fragment: true})
			}
		}
	}
	if f := a.conf("macros"); f != nil {
		for _, s := range f.Stanzas {
			if v, ok := s.Get("definition"); ok && s.Value("iseval") != "true" && s.Value("iseval") != "1" {
				out = append(out, search{path: f.Name, where: "[" + s.Name + "]", text: v, fragment: true})
			}
		}
	}
	for _, f := range a.files {
		if f.isDir || !strings.HasPrefix(f.rel, "default/data/ui/views/") || !strings.HasSuffix(f.rel, ".xml") {
			continue
		}
		b, err := os.ReadFile(a.path(f.rel))
		if err != nil {
			continue
		}
		queries, _ := xmlTexts(b, "query")
		for i, q := range queries {
			out = append(out, search{path: f.rel, where: fmt.Sprintf("query %d", i+1), text: strings.TrimSpace(q)})
		}
	}
	return out
}

// xmlTexts returns the text of every element called name, and whether the
// document is well-formed.
func xmlTexts(b []byte, name string) ([]string, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var out []string
	var cur *strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == name {
				cur = &strings.Builder{}
			}
		case xml.CharData:
			if cur != nil {
				cur.Write(t)
			}
		case xml.EndElement:
			if t.Name.Local == name && cur != nil {
				out = append(out, cur.String())
				cur = nil
			}
		}
	}
}
