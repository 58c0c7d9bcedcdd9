package tests

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/audit"
	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/replay"
)

// source is one path Kubernetes audit data reaches Splunk by, with a
// sample in its shape and the indexed fields Splunk gives its events.
type source struct {
	name, sample string
	indexed      map[string]string
	// shape is the data shape the sample holds; detections of other
	// shapes must not be judged on it.
	shape audit.Shape
	// want are fields every record must carry with these values.
	want map[string]string
	// detection is one the sample must fire.
	detection string
	// warn is a message the reply must carry.
	warn string
}

// TestKubeenrich_Sources runs a sample of every source through the built
// command as splunkd would send it, and checks each record gets identity,
// source, target, outcome, cluster and platform, and the detections of its
// data shape only.
func TestKubeenrich_Sources(t *testing.T) {
	lookupsDir := t.TempDir()
	copyDir(t, filepath.Join(repoRoot(t), "lookups"), lookupsDir)
	// A user's clusters lookup, for the sources whose events do not say.
	clusters := "sourcetype,source,host,index,cluster,platform,region\n" +
		"kube:apiserver:audit,*,ctl-*,*,onprem-1,,\n" +
		"aws:cloudwatchlogs:eks,http:*,*,*,shop-eks,eks,us-west-2\n" +
		"aws:cloudwatchlogs,*,*,*,,,us-west-2\n"
	if err := os.WriteFile(filepath.Join(lookupsDir, "kubelens_clusters.csv"), []byte(clusters), 0o644); err != nil {
		t.Fatal(err)
	}
	eksFirehose := map[string]string{"k8s_platform": "eks", "k8s_cluster": "shop-eks", "eks_cluster_name": "shop-eks", "eks_region": "us-west-2"}
	for _, src := range []source{
		{name: "Splunk OpenTelemetry Collector for Kubernetes", sample: "openshift_audit_events.jsonl",
			indexed: map[string]string{"sourcetype": "kube:apiserver-audit", "source": "/var/log/kubernetes/apiserver/audit.log", "host": "master-0", "k8s.cluster.name": "ocp-prod"},
			shape:   audit.ShapeNative, want: map[string]string{"k8s_cluster": "ocp-prod"}, detection: "Kubernetes Unauthorized Access"},
		{name: "Splunk Connect for Kubernetes", sample: "openshift_audit_events.jsonl",
			indexed: map[string]string{"sourcetype": "kube:apiserver-audit", "source": "/var/log/kube-apiserver-audit.log", "host": "master-1", "cluster_name": "ocp-dev"},
			shape:   audit.ShapeNative, want: map[string]string{"k8s_cluster": "ocp-dev"}, detection: "Kubernetes Unauthorized Access"},
		{name: "universal forwarder, cluster from the lookup", sample: "openshift_audit_events.jsonl",
			indexed: map[string]string{"sourcetype": "kube:apiserver:audit", "source": "/var/log/kube-apiserver/audit.log", "host": "ctl-01"},
			shape:   audit.ShapeNative, want: map[string]string{"k8s_cluster": "onprem-1"}, detection: "Kubernetes Unauthorized Access"},
		{name: "Firehose with message extraction, the README's source", sample: "eks_audit_events.jsonl",
			indexed: map[string]string{"sourcetype": "aws:cloudwatchlogs:eks", "source": "us-west-2:/aws/eks/shop-eks/cluster:kube-apiserver-audit-firehose", "host": "firehose"},
			shape:   audit.ShapeNative, want: mergeMaps(eksFirehose, map[string]string{"eks_log_type": "audit"}), detection: "Amazon EKS Kubernetes Pod scan detection"},
		{name: "Firehose with message extraction, cluster from the lookup", sample: "eks_audit_events.jsonl",
			indexed: map[string]string{"sourcetype": "aws:cloudwatchlogs:eks", "source": "http:firehose-shop", "host": "firehose"},
			shape:   audit.ShapeNative, want: eksFirehose, detection: "Amazon EKS Kubernetes Pod scan detection"},
		{name: "Firehose without message extraction", sample: "eks_firehose_subscription.jsonl",
			indexed: map[string]string{"sourcetype": "aws:cloudwatchlogs", "source": "http:firehose-shop", "host": "firehose"},
			shape:   audit.ShapeSubscription, want: mergeMaps(eksFirehose, map[string]string{"eks_log_group": "/aws/eks/shop-eks/cluster", "eks_log_type": "audit"}),
			warn: "subscription message"},
		{name: "AKS through the Splunk Add-on for Microsoft Cloud Services", sample: "aks_audit_records.jsonl",
			indexed: map[string]string{"sourcetype": "mscs:azure:eventhub", "source": "shop-ns.servicebus.windows.net/aks-audit", "host": "hf-1"},
			shape:   audit.ShapeAKS, want: map[string]string{"k8s_platform": "aks", "k8s_cluster": "shop-aks", "azure_resource_group": "shop-rg", "azure_subscription_id": "5c2e1f0a-9d3b-4e7a-8c61-2b4d6f8a0c1e"},
			detection: "Kubernetes Azure scan fingerprint", warn: "records batch"},
		{name: "GKE through the Splunk Add-on for Google Cloud Platform", sample: "gke_audit_entries.jsonl",
			indexed: map[string]string{"sourcetype": "google:gcp:pubsub:message", "source": "projects/acme-shop-prod/subscriptions/gke-audit", "host": "hf-1"},
			shape:   audit.ShapeGKE, want: map[string]string{"k8s_platform": "gke", "k8s_cluster": "shop-gke", "gcp_project_id": "acme-shop-prod", "gcp_location": "europe-west1", "k8s_is_final": "true"},
			detection: "GCP Kubernetes cluster scan detection"},
	} {
		t.Run(src.name, func(t *testing.T) {
			recs := readSample(t, src.sample)
			out, msgs := enrichThroughBinary(t, lookupsDir, recs, src.indexed)
			seen := map[string]bool{}
			for i := range recs {
				r := out.Record(i)
				for _, f := range []string{"k8s_user_kind", "src_ip", "k8s_action", "k8s_outcome", "k8s_cluster", "k8s_platform"} {
					if r.Value(f) == "" {
						t.Errorf("record %d: %s is empty", i+1, f)
					}
				}
				for f, want := range src.want {
					if got := r.Value(f); got != want {
						t.Errorf("record %d: %s = %q, want %q", i+1, f, got, want)
					}
				}
				for _, d := range append(r.Values("k8s_detections"), r.Values("k8s_detections_partial")...) {
					seen[d] = true
					if i := slices.IndexFunc(enrich.Detections, func(x enrich.Detection) bool { return x.Name == d }); i < 0 || enrich.Detections[i].Shape != src.shape {
						t.Errorf("record %d: %q judged on %v data", i+1, d, src.shape)
					}
				}
			}
			if src.detection != "" && !seen[src.detection] {
				t.Errorf("no record fired %q (fired: %v)", src.detection, seen)
			}
			if src.warn != "" && !slices.ContainsFunc(msgs, func(m chunked.Message) bool { return m.Level == "WARN" && strings.Contains(m.Text, src.warn) }) {
				t.Errorf("no WARN naming %q among %v", src.warn, msgs)
			}
		})
	}
}

func mergeMaps(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range []map[string]string{a, b} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func readSample(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "app", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// enrichThroughBinary sends the records, with the indexed fields and the
// fields Splunk's JSON extraction gives each, to the built kubeenrich in
// one chunk and returns its reply and messages.
func enrichThroughBinary(t *testing.T, lookupsDir string, raws []string, indexed map[string]string) (*chunked.Table, []chunked.Message) {
	t.Helper()
	recs := make([]replay.LogRecord, len(raws))
	for i, r := range raws {
		recs[i] = replay.LogRecord{Message: r}
	}
	ix := replay.Indexing{Region: "us-east-1", Cluster: "x", Sourcetype: indexed["sourcetype"], Source: indexed["source"]}
	in := ix.Table(recs)
	// The other indexed fields: the host, and a collector's cluster name.
	cols := in.Columns()
	var extra []string
	for k := range indexed {
		if k != "sourcetype" && k != "source" && !slices.Contains(cols, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	full := chunked.NewTable(append(append(slices.Clone(cols), extra...), prefixAll("__mv_", extra)...))
	for i := range recs {
		row := make([]string, 0, len(cols)+2*len(extra))
		for _, c := range cols {
			v := in.Cell(i, c)
			if c == "host" && indexed["host"] != "" {
				v = indexed["host"]
			}
			row = append(row, v)
		}
		for _, k := range extra {
			row = append(row, indexed[k])
		}
		for range extra {
			row = append(row, "")
		}
		full.AppendRow(row...)
	}
	s := startCommand(t, "kubeenrich", "--lookups="+lookupsDir)
	s.send(getinfoMeta(), nil)
	s.read()
	s.send(`{"action":"execute","finished":true}`, full.AppendCSV(nil))
	r := s.read()
	if r.meta.Error != "" {
		t.Fatalf("error reply: %s", r.raw)
	}
	out, err := chunked.DecodeTable(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if out.Len() != len(recs) {
		t.Fatalf("%d records back, want %d", out.Len(), len(recs))
	}
	if _, _, err := s.close(); err != nil {
		t.Errorf("exit: %v", err)
	}
	return out, r.meta.Inspector.Messages
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
