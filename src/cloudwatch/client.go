package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	"github.com/sirupsen/logrus"
	"golang.org/x/time/rate"
)

// API is the one call the puller makes; *cloudwatchlogs.Client implements
// it, and so can a test double of the cursor logic.
type API interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

var _ API = (*cloudwatchlogs.Client)(nil)

// ClientConfig says how to reach CloudWatch Logs.
type ClientConfig struct {
	Region string
	// Endpoint overrides the CloudWatch Logs endpoint. Empty keeps the SDK's
	// resolution, including AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL.
	Endpoint string
	// AccessKeyID and SecretAccessKey, when set, replace the default
	// credential chain (environment, shared config, instance or pod role).
	AccessKeyID     string
	SecretAccessKey string
	// RoleARN, when set, is assumed on top of those credentials.
	RoleARN    string
	ExternalID string
	// CallsPerSecond limits every HTTP attempt, retries included, because the
	// FilterLogEvents quota (5 TPS) is shared by the whole account and Region.
	CallsPerSecond float64
	// Shared, when set, is a limiter every attempt also waits for: the one
	// the service gives all inputs that read the same account and Region.
	Shared *rate.Limiter
	// MaxAttempts per call (first try included) and the longest backoff
	// between attempts.
	MaxAttempts int
	MaxBackoff  time.Duration
	// AttemptTimeout bounds one HTTP attempt (default 30 s): an endpoint
	// that accepts the request and never answers is given up on, with a
	// WARN, and the attempt retried.
	AttemptTimeout time.Duration
	// Log receives the SDK's own warnings (nil: discarded). Without it the
	// SDK would print to stderr in a form splunkd files as ERROR.
	Log logrus.FieldLogger
}

// Counters are what the client observed on the wire since the last Take.
type Counters struct {
	Attempts     int64
	Throttles    int64
	ServerErrors int64
	// Timeouts counts attempts given up after AttemptTimeout.
	Timeouts int64
}

// Client is a CloudWatch Logs client with call-rate limiting and counters.
type Client struct {
	API
	attempts, throttles, serverErrors, timeouts atomic.Int64
	log                                         logrus.FieldLogger
	attemptTimeout                              time.Duration
}

// Take returns the counters and resets them.
func (c *Client) Take() Counters {
	return Counters{Attempts: c.attempts.Swap(0), Throttles: c.throttles.Swap(0), ServerErrors: c.serverErrors.Swap(0),
		Timeouts: c.timeouts.Swap(0)}
}

// NewClient builds the SDK client. It does not call AWS: credentials are
// resolved on the first request.
func NewClient(ctx context.Context, cc ClientConfig) (*Client, error) {
	if cc.MaxAttempts <= 0 {
		cc.MaxAttempts = 8
	}
	if cc.MaxBackoff <= 0 {
		cc.MaxBackoff = 30 * time.Second
	}
	if cc.CallsPerSecond <= 0 {
		cc.CallsPerSecond = 1
	}
	if cc.AttemptTimeout <= 0 {
		cc.AttemptTimeout = 30 * time.Second
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(cc.Region),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = cc.MaxAttempts
				o.MaxBackoff = cc.MaxBackoff
				// The SDK's retry token bucket would, after a throttling storm,
				// refuse retries for the rest of the process's life; our own
				// limiter and the backoff pace us instead.
				o.RateLimiter = ratelimit.None
				// FilterLogEvents only reads: a connection that broke under
				// the request (a keep-alive connection a load balancer or
				// NAT dropped) is safe to retry, whatever the SDK thinks.
				o.Retryables = append(o.Retryables, retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
					if brokenConnection(err) {
						return aws.TrueTernary
					}
					return aws.UnknownTernary
				}))
			})
		}),
	}
	opts = append(opts, config.WithLogger(sdkLogger{log: cc.Log}),
		// A per-attempt bound through the HTTP client rather than a context:
		// cancelling a context after each attempt would cut the connection
		// before the SDK drains the body, and defeat connection reuse.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(cc.AttemptTimeout)))
	if cc.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cc.AccessKeyID, cc.SecretAccessKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("cloudwatch: load AWS configuration: %w", err)
	}
	if cc.RoleARN != "" {
		prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), cc.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "kubelens-eks_logs"
			if cc.ExternalID != "" {
				o.ExternalID = aws.String(cc.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(prov)
	}
	c := &Client{log: cc.Log, attemptTimeout: cc.AttemptTimeout}
	limiter := rate.NewLimiter(rate.Limit(cc.CallsPerSecond), 1)
	c.API = cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		if cc.Endpoint != "" {
			o.BaseEndpoint = aws.String(cc.Endpoint)
		}
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Finalize.Insert(c.attemptMiddleware(limiter, cc.Shared), "Retry", middleware.After)
		})
	})
	return c, nil
}

// attemptMiddleware runs once per HTTP attempt (it sits after the retry
// loop): it waits for the input's limiter and the shared one, bounds the
// attempt with AttemptTimeout, then classifies the outcome.
func (c *Client) attemptMiddleware(limiter, shared *rate.Limiter) middleware.FinalizeMiddleware {
	return middleware.FinalizeMiddlewareFunc("KubelensAttempt", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		if err := limiter.Wait(ctx); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("cloudwatch: rate limit: %w", err)
		}
		if shared != nil {
			if err := shared.Wait(ctx); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("cloudwatch: shared rate limit: %w", err)
			}
		}
		c.attempts.Add(1)
		out, md, err := next.HandleFinalize(ctx, in)
		var te interface{ Timeout() bool }
		if err != nil && ctx.Err() == nil && errors.As(err, &te) && te.Timeout() {
			// The HTTP client's timeout (AttemptTimeout) fired while the
			// caller's ctx is live: only this attempt ran out of time. The
			// retryer retries timeouts; say so, and count it.
			c.timeouts.Add(1)
			if c.log != nil {
				c.log.WithField("timeout", c.attemptTimeout.String()).Warn("CloudWatch Logs did not answer within call_timeout; retrying")
			}
			return out, md, &attemptTimeoutError{after: c.attemptTimeout, err: err}
		}
		if err != nil {
			switch {
			case IsThrottle(err):
				c.throttles.Add(1)
			case isServerError(err):
				c.serverErrors.Add(1)
			}
		}
		return out, md, err
	})
}

// attemptTimeoutError is an attempt that got no answer in time. The SDK's
// retryer retries connection errors and timeouts; it says it is both. It
// does not unwrap to the SDK's error: that one says "canceled", which the
// retryer never retries.
type attemptTimeoutError struct {
	after time.Duration
	err   error
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("cloudwatch: no answer within %s: %v", e.after, e.err)
}
func (e *attemptTimeoutError) Timeout() bool         { return true }
func (e *attemptTimeoutError) ConnectionError() bool { return true }

// IsThrottle reports whether err is one of the throttling errors the SDK
// retries with backoff.
func IsThrottle(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		_, ok := retry.DefaultThrottleErrorCodes[ae.ErrorCode()]
		return ok
	}
	return false
}

// IsNoCredentials reports whether a call failed because the default
// credential chain found no credentials at all.
func IsNoCredentials(err error) bool {
	return err != nil && strings.Contains(err.Error(), "get credentials: failed to refresh cached credentials")
}

func isServerError(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() >= 500
}

// sdkLogger routes the SDK's log output through the injected logger. The
// SDK hands it the request's context (logging.ContextLogger), so that what
// it reports about a call being cancelled (a SIGTERM stopping the input)
// goes to DEBUG: shutting down is no warning.
type sdkLogger struct {
	log logrus.FieldLogger
	ctx context.Context
}

var _ logging.ContextLogger = sdkLogger{}

// WithContext implements logging.ContextLogger.
func (l sdkLogger) WithContext(ctx context.Context) logging.Logger {
	return sdkLogger{log: l.log, ctx: ctx}
}

// bodyCleanup starts the SDK's warnings about draining or closing a
// response body: they only say a connection may not be reused, after the
// call itself has succeeded or failed (and been reported) on its own.
const bodyCleanup = "failed to discard remaining HTTP response body"

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	if l.log == nil {
		return
	}
	e := l.log.WithField("component", "aws-sdk")
	cancelled := l.ctx != nil && l.ctx.Err() != nil
	if c == logging.Warn && !cancelled && !strings.HasPrefix(format, bodyCleanup) && !strings.HasPrefix(format, "failed to close HTTP response body") {
		e.Warnf(format, v...)
		return
	}
	e.Debugf(format, v...)
}

// brokenConnection reports whether err is a connection that closed under
// a request.
func brokenConnection(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}
