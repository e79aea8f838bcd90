package hub

import (
	"context"
	"database/sql"
	"errors"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// GetAPIVersion is getAPIVersion(): 1.
func (h *Hub) GetAPIVersion(ctx context.Context) (int, error) { return APIVersion, nil }

// GetKojiVersion is getKojiVersion().
func (h *Hub) GetKojiVersion(ctx context.Context) (string, error) { return KojiVersion, nil }

// Hello is hello().
func (h *Hub) Hello(ctx context.Context) (string, error) { return "Hello World", nil }

// GetLoggedInUser is getLoggedInUser(): nil when anonymous.
func (h *Hub) GetLoggedInUser(ctx context.Context) (*koji.LoggedInUser, error) {
	var out *koji.LoggedInUser
	err := h.read(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil || c.UserID == 0 {
			return err
		}
		u, err := readUser(tx, c.UserID)
		if err != nil || u == nil {
			return err
		}
		out = &koji.LoggedInUser{ID: u.ID, Name: u.Name, Status: u.Status, UserType: u.UserType,
			KrbPrincipals: u.KrbPrincipals, AuthType: koji.AuthType(c.AuthType)}
		if len(u.KrbPrincipals) > 0 {
			out.KrbPrincipal = &u.KrbPrincipals[0]
		}
		return nil
	})
	return out, err
}

// GetLastEvent is getLastEvent(before).
func (h *Hub) GetLastEvent(ctx context.Context, opts koji.GetLastEventOpts) (*koji.Event, error) {
	var ev koji.Event
	err := h.read(ctx, func(tx *store.Tx) error {
		var id int64
		var t float64
		var err error
		if opts.Before != nil {
			err = tx.QueryRow(`SELECT id, time FROM events WHERE time < ? ORDER BY id DESC LIMIT 1`, *opts.Before).Scan(&id, &t)
		} else {
			err = tx.QueryRow(`SELECT id, time FROM events ORDER BY id DESC LIMIT 1`).Scan(&id, &t)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return fault(koji.GenericError, "Unable to find an event")
		}
		ev = koji.Event{ID: int(id), TS: roundTS(t)}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ev, nil
}

func readUser(tx *store.Tx, id int64) (*koji.User, error) {
	u := &koji.User{KrbPrincipals: []string{}}
	var status, utype int
	err := tx.QueryRow(`SELECT id, name, status, usertype FROM users WHERE id = ?`, id).Scan(&u.ID, &u.Name, &status, &utype)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u.Status = koji.UserStatus(status)
	u.UserType = koji.UserType(utype)
	rows, err := tx.Query(`SELECT krb_principal FROM user_krb_principals WHERE user_id = ? ORDER BY krb_principal`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		u.KrbPrincipals = append(u.KrbPrincipals, p)
	}
	return u, rows.Err()
}

// GetUser is getUser(userInfo, strict, krb_princs, groups).
func (h *Hub) GetUser(ctx context.Context, ref koji.Ref, opts koji.GetUserOpts) (*koji.User, error) {
	var out *koji.User
	err := h.read(ctx, func(tx *store.Tx) error {
		var id int64
		if ref.IsZero() {
			c, err := h.caller(ctx, tx)
			if err != nil {
				return err
			}
			id = c.UserID
		} else {
			var err error
			id, _, err = userID(tx, ref)
			if err != nil {
				return err
			}
		}
		if id == 0 {
			if opts.Strict {
				return fault(koji.GenericError, "No such user: %s", pyRepr(ref.Value()))
			}
			return nil
		}
		u, err := readUser(tx, id)
		if err != nil {
			return err
		}
		if opts.KrbPrincs != nil && !*opts.KrbPrincs {
			u.KrbPrincipals = nil
		}
		if opts.Groups {
			rows, err := tx.Query(`SELECT g.id, g.name FROM user_groups ug JOIN users g ON g.id = ug.group_id WHERE ug.user_id = ? AND ug.active = 1 ORDER BY g.id`, id)
			if err != nil {
				return err
			}
			defer rows.Close()
			u.Groups = []any{}
			for rows.Next() {
				var gid int
				var gn string
				if err := rows.Scan(&gid, &gn); err != nil {
					return err
				}
				u.Groups = append(u.Groups, map[string]any{"id": gid, "name": gn})
			}
		}
		out = u
		return nil
	})
	return out, err
}

// GetPerms is getPerms(): the caller's permissions.
func (h *Hub) GetPerms(ctx context.Context) ([]string, error) {
	out := []string{}
	err := h.read(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil || c.UserID == 0 {
			return err
		}
		rows, err := tx.Query(`SELECT DISTINCT p.name FROM user_perms up JOIN permissions p ON p.id = up.perm_id
			WHERE up.active = 1 AND (up.user_id = ? OR up.user_id IN
				(SELECT group_id FROM user_groups WHERE user_id = ? AND active = 1)) ORDER BY p.id`, c.UserID, c.UserID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}

// GetAllPerms is getAllPerms().
func (h *Hub) GetAllPerms(ctx context.Context) ([]koji.Permission, error) {
	var out []koji.Permission
	err := h.read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id, name, description FROM permissions ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p koji.Permission
			var d sql.NullString
			if err := rows.Scan(&p.ID, &p.Name, &d); err != nil {
				return err
			}
			p.Description = nullStr(d)
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// HasPerm is hasPerm(perm, strict): exact match.
func (h *Hub) HasPerm(ctx context.Context, perm string, opts koji.HasPermOpts) (bool, error) {
	var out bool
	err := h.read(ctx, func(tx *store.Tx) error {
		if opts.Strict {
			var id int64
			if err := tx.QueryRow(`SELECT id FROM permissions WHERE name = ?`, perm).Scan(&id); errors.Is(err, sql.ErrNoRows) {
				return fault(koji.GenericError, "No such permission %s defined", perm)
			}
		}
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		out, err = h.hasPerm(tx, c, perm)
		return err
	})
	return out, err
}

// GetUserPermsInheritance is getUserPermsInheritance(userID).
func (h *Hub) GetUserPermsInheritance(ctx context.Context, ref koji.Ref) (map[string][]*string, error) {
	out := map[string][]*string{}
	err := h.read(ctx, func(tx *store.Tx) error {
		id, _, err := mustUser(tx, ref)
		if err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT p.name, NULL FROM user_perms up JOIN permissions p ON p.id = up.perm_id
			WHERE up.active = 1 AND up.user_id = ?
			UNION ALL
			SELECT p.name, g.name FROM user_groups ug JOIN users g ON g.id = ug.group_id
				JOIN user_perms up ON up.user_id = ug.group_id AND up.active = 1
				JOIN permissions p ON p.id = up.perm_id
			WHERE ug.active = 1 AND ug.user_id = ?`, id, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			var g sql.NullString
			if err := rows.Scan(&p, &g); err != nil {
				return err
			}
			out[p] = append(out[p], nullStr(g))
		}
		return rows.Err()
	})
	return out, err
}

// CreateUser is createUser(username, status, krb_principal) (admin).
func (h *Hub) CreateUser(ctx context.Context, name string, opts koji.CreateUserOpts) (int, error) {
	var id int64
	err := h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "admin"); err != nil {
			return err
		}
		if name == "" {
			return fault(koji.GenericError, "Name cannot be empty")
		}
		if old, _, err := userID(tx, koji.ByName(name)); err != nil {
			return err
		} else if old != 0 {
			return fault(koji.GenericError, "user already exists: %s", name)
		}
		status := 0
		if opts.Status != nil {
			status = int(*opts.Status)
		}
		id, err = tx.Insert(`INSERT INTO users (name, status, usertype) VALUES (?, ?, 0)`, name, status)
		if err != nil {
			return err
		}
		if opts.KrbPrincipal != "" {
			if _, err := tx.Exec(`INSERT INTO user_krb_principals (user_id, krb_principal) VALUES (?, ?)`, id, opts.KrbPrincipal); err != nil {
				if store.IsConstraint(err) {
					return fault(koji.GenericError, "user with this Kerberos principal already exists: %s", opts.KrbPrincipal)
				}
				return err
			}
		}
		return nil
	})
	return int(id), err
}

// GrantPermission is grantPermission(userinfo, permission, create, description) (admin).
func (h *Hub) GrantPermission(ctx context.Context, ref koji.Ref, perm string, opts koji.GrantPermissionOpts) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "admin"); err != nil {
			return err
		}
		uid, uname, err := mustUser(tx, ref)
		if err != nil {
			return err
		}
		var pid int64
		err = tx.QueryRow(`SELECT id FROM permissions WHERE name = ?`, perm).Scan(&pid)
		if errors.Is(err, sql.ErrNoRows) {
			if !opts.Create {
				return fault(koji.GenericError, "No such permission: %s", pyRepr(perm))
			}
			var desc any
			if opts.Description != "" {
				desc = opts.Description
			}
			pid, err = tx.Insert(`INSERT INTO permissions (name, description) VALUES (?, ?)`, perm, desc)
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM user_perms WHERE user_id = ? AND perm_id = ? AND active = 1`, uid, pid).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault(koji.GenericError, "user %s already has permission: %s", uname, perm)
		}
		return tx.InsertVersioned("user_perms", c.UserID, []string{"user_id", "perm_id"}, []any{uid, pid})
	})
}
