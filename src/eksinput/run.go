package eksinput

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kubelens/kubelens/src/eks"
	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/modinput"
	"github.com/kubelens/kubelens/src/splunkd"
	"github.com/sirupsen/logrus"
)

// run is run mode: it streams events until ctx is cancelled, then writes
// </stream> and returns 0. Configuration problems return 1 after an ERROR.
func run(ctx context.Context, stdin io.Reader, stdout io.Writer, log *logrus.Logger) int {
	cfgIn, err := modinput.ParseInput(stdin)
	if err != nil {
		log.WithError(err).Error("cannot read the input configuration from stdin")
		return 1
	}
	switch len(cfgIn.Stanzas) {
	case 0:
		log.Warn("no eks_logs stanza in the configuration; nothing to do")
		ew := modinput.NewEventWriter(stdout)
		ew.Close()
		return 0
	case 1:
	default:
		log.WithField("stanzas", len(cfgIn.Stanzas)).Error("eks_logs runs one process per stanza (use_single_instance=false) but was given several")
		return 1
	}
	cfg, err := eksconf.ParseStanza(cfgIn.Stanzas[0], time.Now())
	if err != nil {
		log.WithField("stanza", cfgIn.Stanzas[0].Name).WithError(err).Error("invalid input configuration")
		return 1
	}
	log.SetLevel(cfg.LogLevel)
	in := &Input{Cfg: cfg, Log: log.WithField("stanza", cfg.Stanza)}
	// What --validate-arguments refuses beyond the values (a misspelled
	// parameter, an interval splunkd cannot schedule) only warns here: a
	// stanza edited by hand was never validated.
	for _, err := range eksconf.StrictChecks(cfgIn.Stanzas[0]) {
		in.Log.WithError(err).Warn("stanza problem that --validate-arguments refuses; running anyway")
	}
	for _, c := range cfg.Cautions() {
		in.Log.Warn(c)
	}
	if _, ok := eks.ClusterOfLogGroup(cfg.LogGroup); !ok {
		in.Log.WithField("log_group", cfg.LogGroup).Warn("log group is not of the form /aws/eks/<cluster>/cluster; reading it anyway")
	}
	if cfg.AWSAccount != "" {
		in.Keys = func(ctx context.Context) (string, string, error) {
			return readAccount(ctx, cfgIn.ServerURI, cfgIn.SessionKey, cfg.AWSAccount)
		}
	}
	if cfgIn.CheckpointDir == "" {
		in.Log.Error("cannot open the checkpoint: no checkpoint_dir in the configuration")
		return 1
	}
	if err := in.Open(cfgIn.CheckpointDir); err != nil {
		in.Log.WithError(err).Error("cannot open the checkpoint")
		return 1
	}
	defer in.Close()
	ew := modinput.NewStanzaWriter(stdout, cfg.Stanza)
	code := 0
	if err := in.Run(ctx, SyncHandler{In: in, Sink: ew}, false); err != nil {
		code = 1
	}
	if err := ew.Close(); err != nil && code == 0 {
		in.Log.WithError(err).Error("cannot finish the event stream")
		code = 1
	}
	in.Log.WithField("exit_code", code).Info("eks_logs stopped")
	return code
}

// accountSecret is the JSON stored as the clear password of an account.
type accountSecret struct {
	KeyID     string `json:"key_id"`
	SecretKey string `json:"secret_key"`
}

// readAccount fetches an account's keys from storage/passwords.
func readAccount(ctx context.Context, serverURI, sessionKey, account string) (string, string, error) {
	c, err := splunkd.NewWithSessionKey(serverURI, sessionKey, splunkd.Options{})
	if err != nil {
		return "", "", fmt.Errorf("aws_account %q: %w", account, err)
	}
	pw, err := c.GetPassword(ctx, eksconf.CredentialApp, eksconf.CredentialRealm, account)
	if errors.Is(err, splunkd.ErrNotFound) {
		return "", "", fmt.Errorf("aws_account %q: no such account in storage/passwords (realm %s, app %s); store it with 'eks_logs credentials set --account %s'", account, eksconf.CredentialRealm, eksconf.CredentialApp, account)
	}
	if err != nil {
		return "", "", fmt.Errorf("aws_account %q: %w", account, err)
	}
	var s accountSecret
	if err := json.Unmarshal([]byte(pw), &s); err != nil || s.KeyID == "" || s.SecretKey == "" {
		// Never quote the stored value: it is the secret.
		return "", "", fmt.Errorf("aws_account %q: the stored secret is not JSON with key_id and secret_key; store it again with 'eks_logs credentials set'", account)
	}
	return s.KeyID, s.SecretKey, nil
}
