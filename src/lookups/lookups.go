// Package lookups reads kubelens's user-editable CSV lookups into the
// tables package enrich classifies with.
//
// Each lookup ships as <name>_default.csv; a user's own <name>.csv next to
// it wins when present, so an edited copy survives an upgrade of the app
// (which replaces the _default files). A missing lookup is no error: its
// table is empty.
package lookups

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubelens/kubelens/src/enrich"
)

// Lookup describes one lookup file.
type Lookup struct {
	// Name is the file name without "_default" and ".csv".
	Name    string
	Columns []string
	Desc    string
}

// The lookups, as transforms.conf declares them.
var (
	UserAgents        = Lookup{"kubelens_user_agents", []string{"pattern", "tool", "category"}, "User agent classification: Go regular expression on userAgent, first match wins. The user agent is matched with a Windows .exe removed from the client's name and a bare name given a /, so ^kubectl/ also matches kubectl.exe/v1.28.2 (windows/amd64) ... and a plain kubectl; the same form is matched against the trusted user agents."}
	SensitiveResource = Lookup{"kubelens_sensitive_resources", []string{"resource", "subresource", "verb_class", "namespace", "name", "sensitivity"}, "Resource sensitivity: first matching row wins; * or empty matches anything, - only an empty value, * inside a value is a wildcard."}
	TrustedNetworks   = Lookup{"kubelens_trusted_networks", []string{"cidr", "description"}, "Trusted networks (CIDR or single address) for k8s_src_trusted."}
	TrustedUsers      = Lookup{"kubelens_trusted_users", []string{"user", "description"}, "Trusted user names (kube_allowed_user_names); * wildcards, case-insensitive."}
	TrustedGroups     = Lookup{"kubelens_trusted_groups", []string{"group", "description"}, "Trusted groups (kube_allowed_user_groups); * wildcards, case-insensitive."}
	TrustedUserAgents = Lookup{"kubelens_trusted_user_agents", []string{"user_agent", "description"}, "Trusted user agents (kube_allowed_user_agents); * wildcards, case-insensitive."}
	TrustedImages     = Lookup{"kubelens_trusted_images", []string{"image", "description"}, "Trusted images and object names (kube_allowed_images, Falco's image allow-lists); * wildcards, case-insensitive."}
	Clusters          = Lookup{"kubelens_clusters", []string{"sourcetype", "source", "host", "index", "cluster", "platform", "region"}, "Cluster, platform and (EKS) region of records that do not carry them: first row whose sourcetype, source, host and index match wins; * or empty matches anything, * inside a value is a wildcard, case-insensitive. Ships empty."}
	SystemNames       = Lookup{"kubelens_system_names", []string{"kind", "name", "class", "privileged", "platform", "description"}, "Names the platforms reserve, first match per kind: namespace rows give k8s_namespace_class, user rows k8s_user_kind (empty class: the rules decide) and k8s_user_privileged, api_group rows nothing but their platform; platform, when set, is the k8s_platform the name proves. Names are case-sensitive with * wildcards."}
	RiskSignals       = Lookup{"kubelens_risk_signals", []string{"signal", "kind", "title", "score", "mitre_technique_id", "risk_object_field", "threat_object_field", "message"}, "The risk model: one row per security content detection (escu:<id>), kubelens finding (kubelens:<id>) and Falco rule (falco:<name>), with its score (0 to 100), ATT&CK techniques (space separated), risk and threat object fields and message. A signal without a row scores nothing."}
)

// All lists every lookup.
var All = []Lookup{UserAgents, SensitiveResource, TrustedNetworks, TrustedUsers, TrustedGroups, TrustedUserAgents, TrustedImages, Clusters, SystemNames, RiskSignals}

// DefaultFile is the shipped file name, UserFile the user's own.
func (l Lookup) DefaultFile() string { return l.Name + "_default.csv" }

// UserFile is the name of the user's own copy.
func (l Lookup) UserFile() string { return l.Name + ".csv" }

// Load reads every lookup in dir. It returns the tables and, per lookup,
// the file it used ("" when neither exists).
func Load(dir string) (enrich.Tables, map[string]string, error) {
	var t enrich.Tables
	used := map[string]string{}
	// One read buffer for every file (csv.NewReader keeps a *bufio.Reader
	// it is given): this runs in the first execute of every search, where
	// each fresh page of memory costs a page fault.
	br := bufio.NewReader(nil)
	for _, l := range All {
		rows, path, err := l.read(dir, br)
		if err != nil {
			return t, used, err
		}
		used[l.Name] = path
		l.reserve(&t, len(rows))
		for _, row := range rows {
			if err := l.apply(&t, row.cells); err != nil {
				return t, used, fmt.Errorf("lookups: %s line %d: %w", path, row.line, err)
			}
		}
		if l.Name == TrustedUserAgents.Name && filepath.Base(path) == l.UserFile() {
			t.CustomUserAgents = true
		}
	}
	return t, used, nil
}

type row struct {
	line  int
	cells []string
}

// read returns the rows of the user's file, else of the default one,
// read through br.
func (l Lookup) read(dir string, br *bufio.Reader) ([]row, string, error) {
	for _, name := range []string{l.UserFile(), l.DefaultFile()} {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, path, fmt.Errorf("lookups: %w", err)
		}
		br.Reset(f)
		rows, err := l.parse(br, path)
		br.Reset(nil)
		f.Close()
		return rows, path, err
	}
	return nil, "", nil
}

func (l Lookup) parse(r io.Reader, path string) ([]row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("lookups: %s is empty: its first line must be the header %s", path, strings.Join(l.Columns, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("lookups: %s: %w", path, err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
	}
	if !slices.Equal(header, l.Columns) {
		return nil, fmt.Errorf("lookups: %s line 1: header is %s, want %s", path, strings.Join(header, ","), strings.Join(l.Columns, ","))
	}
	var rows []row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("lookups: %s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(l.Columns) {
			return nil, fmt.Errorf("lookups: %s line %d: %d fields, want %d (%s)", path, line, len(rec), len(l.Columns), strings.Join(l.Columns, ","))
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, row{line: line, cells: rec})
	}
}

// reserve makes room for n rows in the larger tables, which would
// otherwise double their way up.
func (l Lookup) reserve(t *enrich.Tables, n int) {
	switch l.Name {
	case RiskSignals.Name:
		t.RiskSignals = slices.Grow(t.RiskSignals, n)
	case SensitiveResource.Name:
		t.Sensitivity = slices.Grow(t.Sensitivity, n)
	case UserAgents.Name:
		t.UserAgents = slices.Grow(t.UserAgents, n)
	}
}

func (l Lookup) apply(t *enrich.Tables, c []string) error {
	switch l.Name {
	case UserAgents.Name:
		r, err := enrich.NewUserAgentRule(c[0], c[1], c[2])
		if err != nil {
			return err
		}
		t.UserAgents = append(t.UserAgents, r)
	case SensitiveResource.Name:
		r, err := enrich.NewSensitivityRule(c[0], c[1], c[2], c[3], c[4], c[5])
		if err != nil {
			return err
		}
		t.Sensitivity = append(t.Sensitivity, r)
	case TrustedNetworks.Name:
		p, err := parseNetwork(c[0])
		if err != nil {
			return err
		}
		t.TrustedNetworks = append(t.TrustedNetworks, p)
	case TrustedUsers.Name:
		t.TrustedUsers = append(t.TrustedUsers, enrich.NewPatterns(c[0])...)
	case TrustedGroups.Name:
		t.TrustedGroups = append(t.TrustedGroups, enrich.NewPatterns(c[0])...)
	case TrustedUserAgents.Name:
		t.TrustedUserAgents = append(t.TrustedUserAgents, enrich.NewPatterns(c[0])...)
	case TrustedImages.Name:
		t.TrustedImages = append(t.TrustedImages, enrich.NewPatterns(c[0])...)
	case Clusters.Name:
		r, err := enrich.NewClusterRule(c[0], c[1], c[2], c[3], c[4], c[5], c[6])
		if err != nil {
			return err
		}
		t.Clusters = append(t.Clusters, r)
	case SystemNames.Name:
		n, err := enrich.NewSystemName(c[0], c[1], c[2], c[3], c[4])
		if err != nil {
			return err
		}
		t.AddSystemName(n)
	case RiskSignals.Name:
		r, err := enrich.NewRiskSignal(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7])
		if err != nil {
			return err
		}
		for _, prev := range t.RiskSignals {
			if prev.Signal == r.Signal {
				return fmt.Errorf("signal %q has a row already", r.Signal)
			}
		}
		t.RiskSignals = append(t.RiskSignals, r)
	}
	return nil
}

func parseNetwork(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR network: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR network: %w", s, err)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Dir finds the app's lookups folder from the executable's path: Splunk
// runs <app>/<platform>/bin/kubeenrich or <app>/bin/kubeenrich (also on
// indexers, where the knowledge bundle holds the app), and a build tree
// has bin/kubeenrich next to lookups/. It returns "" when there is none.
func Dir(executable string) string {
	if resolved, err := filepath.EvalSymlinks(executable); err == nil {
		executable = resolved
	}
	dir := filepath.Dir(executable)
	for _, up := range []string{"..", filepath.Join("..", "..")} {
		cand := filepath.Join(dir, up, "lookups")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return filepath.Clean(cand)
		}
	}
	return ""
}
