package koji

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Loose typing. Koji's struct members are not type-stable: many are
// nil-or-int (epoch, task_id, parent…), nil-or-string (arches, label…), and
// `extra` is nil-or-struct. These are modelled as:
//
//   - *int, *int64, *string, *float64, *bool: nil where Koji sends <nil/>;
//   - map[string]any for extra-like members: nil map = <nil/>, empty map = an
//     empty struct;
//   - times as Koji sends them, strings ("2025-07-02 16:29:15.123456+00:00",
//     Python's isoformat(' ')), with the float twin *_ts in seconds; Time and
//     TS convert them to time.Time.
//
// Every field carries an explicit `xmlrpc:"member"` tag with Koji's exact
// member name, so the same values encode back to Koji's shapes.

// Time parses a Koji time string (isoformat with a space, optional
// fractional seconds and offset). An empty string gives the zero time.
func Time(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{
		"2006-01-02 15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02T15:04:05.999999999",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid Koji time %q", s)
}

// TS converts a *_ts value (seconds since the epoch) to a time; nil gives
// the zero time.
func TS(ts *float64) time.Time {
	if ts == nil {
		return time.Time{}
	}
	sec := int64(*ts)
	nsec := int64((*ts - float64(sec)) * 1e9)
	return time.Unix(sec, nsec).UTC()
}

// FormatTime formats t as Koji's hub does (isoformat(' ') of an aware
// datetime, microseconds).
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.000000-07:00")
}

// TimeTS returns the *_ts float of t (seconds since the epoch).
func TimeTS(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}

// Ptr returns a pointer to v, for the optional fields of the types and
// option structs.
func Ptr[T any](v T) *T { return &v }

// Ref names a Koji object the way Koji's "info" arguments do: by numeric
// id, by name (a tag or user name, an N-V-R for builds, N-V-R.A for RPMs),
// or by a struct of fields (getBuild/getRPM accept {name, version, release
// [, arch]}). The zero Ref means "not given".
type Ref struct {
	ID     int
	Name   string
	Fields map[string]any
	byID   bool
}

// ByID returns a Ref to the object with id.
func ByID(id int) Ref { return Ref{ID: id, byID: true} }

// ByName returns a Ref to the object called name.
func ByName(name string) Ref { return Ref{Name: name} }

// ByFields returns a Ref to the object matching the fields.
func ByFields(fields map[string]any) Ref { return Ref{Fields: fields} }

// RefOf converts a decoded XML-RPC value (an integer, a string or a struct)
// into a Ref. nil gives the zero Ref.
func RefOf(v any) (Ref, error) {
	switch x := v.(type) {
	case nil:
		return Ref{}, nil
	case int:
		return ByID(x), nil
	case int64:
		return ByID(int(x)), nil
	case int32:
		return ByID(int(x)), nil
	case string:
		return ByName(x), nil
	case map[string]any:
		return ByFields(x), nil
	case Ref:
		return x, nil
	}
	return Ref{}, fmt.Errorf("invalid object reference %v (%T): want an id, a name or a struct", v, v)
}

// IsZero reports whether the Ref was not given.
func (r Ref) IsZero() bool { return !r.byID && r.ID == 0 && r.Name == "" && r.Fields == nil }

// IsID reports whether the Ref is by numeric id.
func (r Ref) IsID() bool { return r.byID || (r.ID != 0 && r.Name == "" && r.Fields == nil) }

// Value is the XML-RPC value to send for the Ref: an int, a string, a
// struct, or nil for the zero Ref.
func (r Ref) Value() any {
	switch {
	case r.IsID():
		return r.ID
	case r.Fields != nil:
		return r.Fields
	case r.Name != "":
		return r.Name
	}
	return nil
}

// String is the id or the name (for messages).
func (r Ref) String() string {
	switch {
	case r.IsID():
		return strconv.Itoa(r.ID)
	case r.Fields != nil:
		return fmt.Sprint(r.Fields)
	}
	return r.Name
}

// Tag is getTag's answer.
type Tag struct {
	ID              int            `xmlrpc:"id"`
	Name            string         `xmlrpc:"name"`
	Arches          *string        `xmlrpc:"arches"` // space-separated; nil when unset
	Locked          bool           `xmlrpc:"locked"`
	MavenIncludeAll bool           `xmlrpc:"maven_include_all"`
	MavenSupport    bool           `xmlrpc:"maven_support"`
	Perm            *string        `xmlrpc:"perm"`
	PermID          *int           `xmlrpc:"perm_id"`
	Extra           map[string]any `xmlrpc:"extra"`                  // always a struct for getTag
	QueryEvent      *int           `xmlrpc:"query_event,omitempty"`  // only when event was given
	RevokeEvent     *int           `xmlrpc:"revoke_event,omitempty"` // only for event="auto"
}

// ArchList returns the tag's arches split on white space.
func (t *Tag) ArchList() []string { return splitArches(t.Arches) }

// TagEntry is one row of listTags (getTag's fields without extra; with
// package given, also the package-list fields).
type TagEntry struct {
	ID              int     `xmlrpc:"id"`
	Name            string  `xmlrpc:"name"`
	Arches          *string `xmlrpc:"arches"`
	Locked          bool    `xmlrpc:"locked"`
	MavenIncludeAll bool    `xmlrpc:"maven_include_all"`
	MavenSupport    bool    `xmlrpc:"maven_support"`
	Perm            *string `xmlrpc:"perm"`
	PermID          *int    `xmlrpc:"perm_id"`
	// Only with ListTagsOpts.Package:
	OwnerID     *int    `xmlrpc:"owner_id,omitempty"`
	OwnerName   *string `xmlrpc:"owner_name,omitempty"`
	Blocked     *bool   `xmlrpc:"blocked,omitempty"`
	ExtraArches *string `xmlrpc:"extra_arches,omitempty"`
}

// BuildConfig is getBuildConfig's answer: the tag with arches and extra
// taken from its inheritance.
type BuildConfig struct {
	ID                int               `xmlrpc:"id"`
	Name              string            `xmlrpc:"name"`
	Arches            *string           `xmlrpc:"arches"`
	Locked            bool              `xmlrpc:"locked"`
	MavenIncludeAll   bool              `xmlrpc:"maven_include_all"`
	MavenSupport      bool              `xmlrpc:"maven_support"`
	Perm              *string           `xmlrpc:"perm"`
	PermID            *int              `xmlrpc:"perm_id"`
	Extra             map[string]any    `xmlrpc:"extra"`
	ConfigInheritance ConfigInheritance `xmlrpc:"config_inheritance"`
	QueryEvent        *int              `xmlrpc:"query_event,omitempty"`
}

// ArchList returns the arches split on white space.
func (c *BuildConfig) ArchList() []string { return splitArches(c.Arches) }

// ConfigInheritance says where getBuildConfig found arches and extra keys:
// Extra maps each key to {tag_id, name}; Arches is {tag_id, name} or nil when
// the tag's own arches were used.
type ConfigInheritance struct {
	Extra  map[string]any `xmlrpc:"extra"`
	Arches map[string]any `xmlrpc:"arches"`
}

// BuildTarget is getBuildTarget's answer (and a row of getBuildTargets).
type BuildTarget struct {
	ID           int    `xmlrpc:"id"`
	Name         string `xmlrpc:"name"`
	BuildTag     int    `xmlrpc:"build_tag"`
	BuildTagName string `xmlrpc:"build_tag_name"`
	DestTag      int    `xmlrpc:"dest_tag"`
	DestTagName  string `xmlrpc:"dest_tag_name"`
}

// Build is getBuild's answer (BuildInfo), also a row of listBuilds.
type Build struct {
	ID              int            `xmlrpc:"id"`
	BuildID         int            `xmlrpc:"build_id"`
	PackageID       int            `xmlrpc:"package_id"`
	PackageName     string         `xmlrpc:"package_name"`
	Name            string         `xmlrpc:"name"`
	Version         string         `xmlrpc:"version"`
	Release         string         `xmlrpc:"release"`
	Epoch           *int           `xmlrpc:"epoch"`
	NVR             string         `xmlrpc:"nvr"`
	Draft           bool           `xmlrpc:"draft"`
	State           BuildState     `xmlrpc:"state"`
	TaskID          *int           `xmlrpc:"task_id"`
	OwnerID         int            `xmlrpc:"owner_id"`
	OwnerName       string         `xmlrpc:"owner_name"`
	VolumeID        int            `xmlrpc:"volume_id"`
	VolumeName      string         `xmlrpc:"volume_name"`
	CreationEventID int            `xmlrpc:"creation_event_id"`
	CreationTime    string         `xmlrpc:"creation_time"`
	CreationTS      float64        `xmlrpc:"creation_ts"`
	StartTime       *string        `xmlrpc:"start_time"`
	StartTS         *float64       `xmlrpc:"start_ts"`
	CompletionTime  *string        `xmlrpc:"completion_time"`
	CompletionTS    *float64       `xmlrpc:"completion_ts"`
	PromotionTime   *string        `xmlrpc:"promotion_time"`
	PromotionTS     *float64       `xmlrpc:"promotion_ts"`
	PromoterID      *int           `xmlrpc:"promoter_id"`
	PromoterName    *string        `xmlrpc:"promoter_name"`
	CGID            *int           `xmlrpc:"cg_id"`
	CGName          *string        `xmlrpc:"cg_name"`
	Source          *string        `xmlrpc:"source"`
	Extra           map[string]any `xmlrpc:"extra"`
}

// EpochString returns the epoch as a string, "" when nil.
func (b *Build) EpochString() string { return epochString(b.Epoch) }

// TaggedBuild is a row of listTagged and getLatestBuilds: a build as found
// in a tag (CreateEvent is the tagging event).
type TaggedBuild struct {
	TagID           int        `xmlrpc:"tag_id"`
	TagName         string     `xmlrpc:"tag_name"`
	ID              int        `xmlrpc:"id"`
	BuildID         int        `xmlrpc:"build_id"`
	PackageID       int        `xmlrpc:"package_id"`
	PackageName     string     `xmlrpc:"package_name"`
	Name            string     `xmlrpc:"name"`
	Version         string     `xmlrpc:"version"`
	Release         string     `xmlrpc:"release"`
	Epoch           *int       `xmlrpc:"epoch"`
	NVR             string     `xmlrpc:"nvr"`
	Draft           bool       `xmlrpc:"draft"`
	State           BuildState `xmlrpc:"state"`
	TaskID          *int       `xmlrpc:"task_id"`
	OwnerID         int        `xmlrpc:"owner_id"`
	OwnerName       string     `xmlrpc:"owner_name"`
	VolumeID        int        `xmlrpc:"volume_id"`
	VolumeName      string     `xmlrpc:"volume_name"`
	CreationEventID int        `xmlrpc:"creation_event_id"`
	CreationTime    string     `xmlrpc:"creation_time"`
	StartTime       *string    `xmlrpc:"start_time"`
	CompletionTime  *string    `xmlrpc:"completion_time"`
	PromotionTime   *string    `xmlrpc:"promotion_time"`
	PromoterID      *int       `xmlrpc:"promoter_id"`
	PromoterName    *string    `xmlrpc:"promoter_name"`
	CreateEvent     int        `xmlrpc:"create_event"`
	// Extra is present only with ListTaggedOpts.Extra.
	Extra map[string]any `xmlrpc:"extra,omitempty"`
}

// EpochString returns the epoch as a string, "" when nil.
func (b *TaggedBuild) EpochString() string { return epochString(b.Epoch) }

// Package is getPackage's answer.
type Package struct {
	ID   int    `xmlrpc:"id"`
	Name string `xmlrpc:"name"`
}

// PackageListEntry is a row of listPackages for a tag, user or package: a
// package-list entry with owner and block flag. (listPackages with no
// tag, user or package answers only package_id and package_name.)
type PackageListEntry struct {
	PackageID   int     `xmlrpc:"package_id"`
	PackageName string  `xmlrpc:"package_name"`
	TagID       int     `xmlrpc:"tag_id"`
	TagName     string  `xmlrpc:"tag_name"`
	ExtraArches *string `xmlrpc:"extra_arches"`
	Blocked     bool    `xmlrpc:"blocked"`
	OwnerID     int     `xmlrpc:"owner_id"`
	OwnerName   string  `xmlrpc:"owner_name"`
}

// TaskInfo is getTaskInfo's answer (and a row of getTaskChildren and
// listTasks).
type TaskInfo struct {
	ID             int       `xmlrpc:"id"`
	State          TaskState `xmlrpc:"state"`
	CreateTime     string    `xmlrpc:"create_time"`
	CreateTS       float64   `xmlrpc:"create_ts"`
	StartTime      *string   `xmlrpc:"start_time"`
	StartTS        *float64  `xmlrpc:"start_ts"`
	CompletionTime *string   `xmlrpc:"completion_time"`
	CompletionTS   *float64  `xmlrpc:"completion_ts"`
	ChannelID      int       `xmlrpc:"channel_id"`
	HostID         *int      `xmlrpc:"host_id"`
	Parent         *int      `xmlrpc:"parent"`
	Label          *string   `xmlrpc:"label"`
	Waiting        *bool     `xmlrpc:"waiting"`
	Awaited        *bool     `xmlrpc:"awaited"`
	Owner          int       `xmlrpc:"owner"`
	Method         string    `xmlrpc:"method"`
	Arch           string    `xmlrpc:"arch"`
	Priority       int       `xmlrpc:"priority"`
	Weight         float64   `xmlrpc:"weight"`
	// Request is the decoded parameter list with GetTaskInfoOpts.Request
	// (for listTasks: the raw XML text unless decode was asked for).
	Request any `xmlrpc:"request,omitempty"`
	// Only in listTasks rows:
	Result    any     `xmlrpc:"result,omitempty"`
	OwnerName *string `xmlrpc:"owner_name,omitempty"`
	OwnerType *int    `xmlrpc:"owner_type,omitempty"`
}

// RequestParams returns Request as a parameter list (nil when absent or
// not decoded).
func (t *TaskInfo) RequestParams() []any {
	l, _ := t.Request.([]any)
	return l
}

// Repo is getRepo's and repoInfo's answer.
type Repo struct {
	ID           int            `xmlrpc:"id"`
	TagID        int            `xmlrpc:"tag_id"`
	TagName      string         `xmlrpc:"tag_name"`
	State        RepoState      `xmlrpc:"state"`
	CreationTime string         `xmlrpc:"creation_time"`
	CreationTS   float64        `xmlrpc:"creation_ts"`
	StateTime    string         `xmlrpc:"state_time"`
	StateTS      float64        `xmlrpc:"state_ts"`
	CreateEvent  int            `xmlrpc:"create_event"`
	CreateTS     float64        `xmlrpc:"create_ts"`
	BeginEvent   *int           `xmlrpc:"begin_event"`
	BeginTS      *float64       `xmlrpc:"begin_ts"`
	EndEvent     *int           `xmlrpc:"end_event"`
	EndTS        *float64       `xmlrpc:"end_ts"`
	Dist         bool           `xmlrpc:"dist"`
	Opts         *RepoOpts      `xmlrpc:"opts"`
	CustomOpts   map[string]any `xmlrpc:"custom_opts"`
	TaskID       *int           `xmlrpc:"task_id"`
	TaskState    *TaskState     `xmlrpc:"task_state"`
}

// RepoOpts are the options a repo was generated with.
type RepoOpts struct {
	Src         bool `xmlrpc:"src" json:"src"`
	Debuginfo   bool `xmlrpc:"debuginfo" json:"debuginfo"`
	SeparateSrc bool `xmlrpc:"separate_src" json:"separate_src"`
	Maven       bool `xmlrpc:"maven" json:"maven"`
}

// RPM is a row of listRPMs (and getRPM's and importRPM's answer).
type RPM struct {
	ID               int            `xmlrpc:"id"`
	Name             string         `xmlrpc:"name"`
	Version          string         `xmlrpc:"version"`
	Release          string         `xmlrpc:"release"`
	NVR              string         `xmlrpc:"nvr,omitempty"` // listRPMs only
	Arch             string         `xmlrpc:"arch"`
	Epoch            *int           `xmlrpc:"epoch"`
	Draft            bool           `xmlrpc:"draft"`
	PayloadHash      string         `xmlrpc:"payloadhash"`
	Size             int64          `xmlrpc:"size"`
	BuildTime        int64          `xmlrpc:"buildtime"`
	BuildID          int            `xmlrpc:"build_id"`
	BuildrootID      *int           `xmlrpc:"buildroot_id"`
	ExternalRepoID   int            `xmlrpc:"external_repo_id"`
	ExternalRepoName string         `xmlrpc:"external_repo_name"`
	MetadataOnly     bool           `xmlrpc:"metadata_only"`
	Extra            map[string]any `xmlrpc:"extra"`
	// IsUpdate is set in listRPMs(componentBuildrootID=...) rows.
	IsUpdate *bool `xmlrpc:"is_update,omitempty"`
}

// Filename is N-V-R.A.rpm.
func (r *RPM) Filename() string {
	return fmt.Sprintf("%s-%s-%s.%s.rpm", r.Name, r.Version, r.Release, r.Arch)
}

// RPMSig is a row of queryRPMSigs.
type RPMSig struct {
	RPMID   int    `xmlrpc:"rpm_id"`
	SigKey  string `xmlrpc:"sigkey"` // "" for the unsigned header
	SigHash string `xmlrpc:"sighash"`
}

// User is getUser's answer.
type User struct {
	ID            int        `xmlrpc:"id"`
	Name          string     `xmlrpc:"name"`
	Status        UserStatus `xmlrpc:"status"`
	UserType      UserType   `xmlrpc:"usertype"`
	KrbPrincipals []string   `xmlrpc:"krb_principals"`
	// Groups is present only with GetUserOpts.Groups.
	Groups []any `xmlrpc:"groups,omitempty"`
}

// LoggedInUser is getLoggedInUser's answer: the user plus how the session
// was authenticated.
type LoggedInUser struct {
	ID            int        `xmlrpc:"id"`
	Name          string     `xmlrpc:"name"`
	Status        UserStatus `xmlrpc:"status"`
	UserType      UserType   `xmlrpc:"usertype"`
	KrbPrincipals []string   `xmlrpc:"krb_principals"`
	AuthType      AuthType   `xmlrpc:"authtype"`
	KrbPrincipal  *string    `xmlrpc:"krb_principal"` // first principal, for compatibility
}

// Permission is a row of getAllPerms.
type Permission struct {
	ID          int     `xmlrpc:"id"`
	Name        string  `xmlrpc:"name"`
	Description *string `xmlrpc:"description"`
}

// ExternalRepo is getExternalRepo's answer (and a row of listExternalRepos).
type ExternalRepo struct {
	ID   int    `xmlrpc:"id"`
	Name string `xmlrpc:"name"`
	URL  string `xmlrpc:"url"`
}

// TagExternalRepo is a row of getTagExternalRepos and getExternalRepoList:
// an external repo attached to a tag.
type TagExternalRepo struct {
	ExternalRepoID   int     `xmlrpc:"external_repo_id"`
	ExternalRepoName string  `xmlrpc:"external_repo_name"`
	Priority         int     `xmlrpc:"priority"`
	TagID            int     `xmlrpc:"tag_id"`
	TagName          string  `xmlrpc:"tag_name"`
	URL              string  `xmlrpc:"url"`
	MergeMode        string  `xmlrpc:"merge_mode"`
	Arches           *string `xmlrpc:"arches"`
}

// InheritanceLink is a row of getInheritanceData (a direct parent) and an
// element of setInheritanceData's data.
type InheritanceLink struct {
	ParentID     int    `xmlrpc:"parent_id"`
	ChildID      int    `xmlrpc:"child_id"`
	Name         string `xmlrpc:"name"` // the parent's name
	Priority     int    `xmlrpc:"priority"`
	MaxDepth     *int   `xmlrpc:"maxdepth"`
	Intransitive bool   `xmlrpc:"intransitive"`
	NoConfig     bool   `xmlrpc:"noconfig"`
	PkgFilter    string `xmlrpc:"pkg_filter"`
	// Delete asks setInheritanceData to remove the link.
	Delete bool `xmlrpc:"delete link,omitempty"`
}

// FullInheritanceLink is a row of getFullInheritance: a link of the
// flattened inheritance with the depth bookkeeping of readFullInheritance.
type FullInheritanceLink struct {
	ParentID     int      `xmlrpc:"parent_id"`
	ChildID      int      `xmlrpc:"child_id"`
	Name         string   `xmlrpc:"name"`
	Priority     int      `xmlrpc:"priority"`
	MaxDepth     *int     `xmlrpc:"maxdepth"`
	Intransitive bool     `xmlrpc:"intransitive"`
	NoConfig     bool     `xmlrpc:"noconfig"`
	PkgFilter    string   `xmlrpc:"pkg_filter"`
	CurrDepth    int      `xmlrpc:"currdepth"`
	NextDepth    *int     `xmlrpc:"nextdepth"`
	Filter       []string `xmlrpc:"filter"`
}

// Event is getLastEvent's answer.
type Event struct {
	ID int     `xmlrpc:"id"`
	TS float64 `xmlrpc:"ts"`
}

// History is queryHistory's answer: rows per versioned table
// ("tag_listing", "tag_inheritance", "tag_packages"…).
type History map[string][]HistoryEntry

// HistoryEntry is one row of queryHistory. Its members depend on the table
// (and use dotted names such as "tag.name"), so it is a map with typed
// accessors for the common members.
type HistoryEntry map[string]any

// Int returns member key as an int (0 when nil or absent).
func (h HistoryEntry) Int(key string) int {
	switch v := h[key].(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	}
	return 0
}

// OptInt returns member key as an int, nil when nil or absent.
func (h HistoryEntry) OptInt(key string) *int {
	switch h[key].(type) {
	case int, int64, float64:
		v := h.Int(key)
		return &v
	}
	return nil
}

// String returns member key as a string ("" when nil or absent).
func (h HistoryEntry) String(key string) string {
	s, _ := h[key].(string)
	return s
}

// Bool returns member key as a bool.
func (h HistoryEntry) Bool(key string) bool {
	b, _ := h[key].(bool)
	return b
}

// Float returns member key as a float64 (0 when nil or absent).
func (h HistoryEntry) Float(key string) float64 {
	switch v := h[key].(type) {
	case float64:
		return v
	case int:
		return float64(v)
	case int64:
		return float64(v)
	}
	return 0
}

// Active reports whether the row is current (active is TRUE, never FALSE:
// revoked rows have nil).
func (h HistoryEntry) Active() bool { return h.Bool("active") }

// CreateEvent is the event that created the row.
func (h HistoryEntry) CreateEvent() int { return h.Int("create_event") }

// RevokeEvent is the event that revoked the row, nil while active.
func (h HistoryEntry) RevokeEvent() *int { return h.OptInt("revoke_event") }

// UploadInfo is checkUpload's answer.
type UploadInfo struct {
	Size      int64   `xmlrpc:"size"`
	MTime     float64 `xmlrpc:"mtime"`
	SumLength *int64  `xmlrpc:"sumlength,omitempty"` // with a verify type
	HexDigest string  `xmlrpc:"hexdigest,omitempty"` // with a verify type
}

// UploadChunkResult is the hub's answer to one raw upload chunk.
type UploadChunkResult struct {
	Size       int64  `xmlrpc:"size"`
	FileVerify string `xmlrpc:"fileverify,omitempty"`
	Offset     int64  `xmlrpc:"offset"`
	HexDigest  string `xmlrpc:"hexdigest,omitempty"` // "%08x" adler32 of the chunk
}

// TaskOutputFile is one file of a task's output (listTaskOutput). Volumes
// is filled with ListTaskOutputOpts.AllVolumes; Stat with
// ListTaskOutputOpts.Stat (Koji's {st_size, st_atime, st_mtime, st_ctime}).
type TaskOutputFile struct {
	Name    string
	Volumes []string
	Stat    map[string]any
}

// SessionInfo is the answer of the login calls.
type SessionInfo struct {
	SessionID  int    `xmlrpc:"session-id"`
	SessionKey string `xmlrpc:"session-key"`
	HeaderAuth bool   `xmlrpc:"header-auth"`
}

func splitArches(a *string) []string {
	if a == nil {
		return nil
	}
	return strings.Fields(*a)
}

func epochString(e *int) string {
	if e == nil {
		return ""
	}
	return strconv.Itoa(*e)
}

// MarshalXMLRPC encodes the Ref as its id, name or struct (nil when zero).
func (r Ref) MarshalXMLRPC() (any, error) { return r.Value(), nil }

// UnmarshalXMLRPC decodes an id, a name or a struct into the Ref.
func (r *Ref) UnmarshalXMLRPC(v any) error {
	ref, err := RefOf(v)
	if err != nil {
		return err
	}
	*r = ref
	return nil
}
