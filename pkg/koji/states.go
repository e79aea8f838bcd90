package koji

import "strconv"

// TaskState is a task's state (koji.TASK_STATES).
type TaskState int

// Task states.
const (
	TaskFree     TaskState = 0
	TaskOpen     TaskState = 1
	TaskClosed   TaskState = 2
	TaskCanceled TaskState = 3
	TaskAssigned TaskState = 4
	TaskFailed   TaskState = 5
)

var taskStateNames = []string{"FREE", "OPEN", "CLOSED", "CANCELED", "ASSIGNED", "FAILED"}

// String returns Koji's name of the state ("CLOSED"), or the number for an
// unknown state.
func (s TaskState) String() string { return enumName(taskStateNames, int(s)) }

// Finished reports whether the task reached a final state (CLOSED, CANCELED
// or FAILED).
func (s TaskState) Finished() bool {
	return s == TaskClosed || s == TaskCanceled || s == TaskFailed
}

// ParseTaskState parses a state name (any case) or number.
func ParseTaskState(s string) (TaskState, bool) {
	i, ok := parseEnum(taskStateNames, s)
	return TaskState(i), ok
}

// BuildState is a build's state (koji.BUILD_STATES).
type BuildState int

// Build states.
const (
	BuildBuilding BuildState = 0
	BuildComplete BuildState = 1
	BuildDeleted  BuildState = 2
	BuildFailed   BuildState = 3
	BuildCanceled BuildState = 4
)

var buildStateNames = []string{"BUILDING", "COMPLETE", "DELETED", "FAILED", "CANCELED"}

// String returns Koji's name of the state ("COMPLETE").
func (s BuildState) String() string { return enumName(buildStateNames, int(s)) }

// ParseBuildState parses a state name (any case) or number.
func ParseBuildState(s string) (BuildState, bool) {
	i, ok := parseEnum(buildStateNames, s)
	return BuildState(i), ok
}

// RepoState is a repo's state (koji.REPO_STATES).
type RepoState int

// Repo states.
const (
	RepoInit    RepoState = 0
	RepoReady   RepoState = 1
	RepoExpired RepoState = 2
	RepoDeleted RepoState = 3
	RepoProblem RepoState = 4
)

var repoStateNames = []string{"INIT", "READY", "EXPIRED", "DELETED", "PROBLEM"}

// String returns Koji's name of the state ("READY").
func (s RepoState) String() string { return enumName(repoStateNames, int(s)) }

// ParseRepoState parses a state name (any case) or number.
func ParseRepoState(s string) (RepoState, bool) {
	i, ok := parseEnum(repoStateNames, s)
	return RepoState(i), ok
}

// UserStatus is a user's status (koji.USER_STATUS).
type UserStatus int

// User statuses.
const (
	UserNormal  UserStatus = 0
	UserBlocked UserStatus = 1
)

var userStatusNames = []string{"NORMAL", "BLOCKED"}

// String returns Koji's name of the status.
func (s UserStatus) String() string { return enumName(userStatusNames, int(s)) }

// UserType is a user's type (koji.USERTYPES).
type UserType int

// User types (groups are users of type UserTypeGroup).
const (
	UserTypeNormal UserType = 0
	UserTypeHost   UserType = 1
	UserTypeGroup  UserType = 2
)

var userTypeNames = []string{"NORMAL", "HOST", "GROUP"}

// String returns Koji's name of the type.
func (t UserType) String() string { return enumName(userTypeNames, int(t)) }

// AuthType is how a session was authenticated (koji.AUTHTYPES).
type AuthType int

// Authentication types.
const (
	AuthNormal   AuthType = 0 // password
	AuthKerberos AuthType = 1
	AuthSSL      AuthType = 2 // client certificate
	AuthGSSAPI   AuthType = 3
)

var authTypeNames = []string{"NORMAL", "KERBEROS", "SSL", "GSSAPI"}

// String returns Koji's name of the type.
func (t AuthType) String() string { return enumName(authTypeNames, int(t)) }

// Description is the phrase the koji CLI's hello prints for the type
// ("password", "GSSAPI", "client certificate").
func (t AuthType) Description() string {
	switch t {
	case AuthNormal:
		return "password"
	case AuthKerberos, AuthGSSAPI:
		return "GSSAPI"
	case AuthSSL:
		return "client certificate"
	}
	return t.String()
}

// Miscellaneous Koji constants.
const (
	// APIVersion is what getAPIVersion answers (koji.API_VERSION).
	APIVersion = 1
	// PriorityDefault is the default task priority (koji.PRIO_DEFAULT);
	// lower numbers are more urgent.
	PriorityDefault = 20
	// DefaultVolume is the name of volume 0.
	DefaultVolume = "DEFAULT"
)

func enumName(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return strconv.Itoa(i)
}

func parseEnum(names []string, s string) (int, bool) {
	for i, n := range names {
		if equalFoldASCII(n, s) {
			return i, true
		}
	}
	if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(names) {
		return i, true
	}
	return 0, false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
