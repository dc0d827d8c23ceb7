package emulator_test

import (
	"context"
	"net/url"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	oktav2 "github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
	oktav5 "github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// sdkV5Client configures github.com/okta/okta-sdk-golang/v5 for an
// in-process server, changing nothing but the base URL and token: the
// configuration's Host must be host:port (the SDK drops the port
// otherwise), and the cache is off.
func sdkV5Client(t *testing.T, s *emulatortest.Server) (*oktav5.APIClient, context.Context) {
	t.Helper()
	cfg, err := oktav5.NewConfiguration(oktav5.WithOrgUrl(s.URL), oktav5.WithToken(s.Token),
		oktav5.WithCache(false), oktav5.WithTestingDisableHttpsCheck(true), oktav5.WithRateLimitMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Host = u.Host
	cfg.HTTPClient = s.Client()
	return oktav5.NewAPIClient(cfg), cfg.Context
}

// sdkV2Client configures github.com/okta/okta-sdk-golang/v2 for an
// in-process server (https check disabled, cache off).
func sdkV2Client(t *testing.T, s *emulatortest.Server) (*oktav2.Client, context.Context) {
	t.Helper()
	ctx, c, err := oktav2.NewClient(context.Background(), oktav2.WithOrgUrl(s.URL), oktav2.WithToken(s.Token),
		oktav2.WithCache(false), oktav2.WithTestingDisableHttpsCheck(true), oktav2.WithHttpClientPtr(s.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return c, ctx
}

func sdkSorted(t *testing.T, got []string) []string {
	t.Helper()
	sort.Strings(got)
	return got
}

func TestSDKv5UsersAndGroups(t *testing.T) {
	for _, e := range emulator.Engines() {
		t.Run(string(e), func(t *testing.T) {
			s := emulatortest.NewServer(t, emulatortest.WithEngine(e))
			c, ctx := sdkV5Client(t, s)

			// Create a group, then a user in it.
			g, _, err := c.GroupAPI.CreateGroup(ctx).Group(oktav5.Group{Profile: &oktav5.GroupProfile{
				Name: oktav5.PtrString("sdk-v5"), Description: oktav5.PtrString("made by the v5 SDK")}}).Execute()
			if err != nil {
				t.Fatalf("CreateGroup: %v", err)
			}
			profile := oktav5.NewUserProfile()
			profile.SetLogin("v5@example.com")
			profile.SetEmail("v5@example.com")
			profile.SetFirstName("Vee")
			profile.SetLastName("Five")
			created, _, err := c.UserAPI.CreateUser(ctx).Activate(true).Body(oktav5.CreateUserRequest{
				Profile:     *profile,
				Credentials: &oktav5.UserCredentials{Password: &oktav5.PasswordCredential{Value: oktav5.PtrString("Pa55word!Emu")}},
				GroupIds:    []string{g.GetId()},
			}).Execute()
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			id := created.GetId()
			if diff := cmp.Diff([]string{"ACTIVE", "v5@example.com", "Vee"},
				[]string{created.GetStatus(), created.Profile.GetLogin(), created.Profile.GetFirstName()}); diff != "" {
				t.Errorf("created user (-want +got):\n%s", diff)
			}

			// Read by id and by login.
			for _, key := range []string{id, "v5@example.com"} {
				got, _, err := c.UserAPI.GetUser(ctx, key).Execute()
				if err != nil {
					t.Fatalf("GetUser(%s): %v", key, err)
				}
				if got.GetId() != id {
					t.Errorf("GetUser(%s) id = %s, want %s", key, got.GetId(), id)
				}
			}

			// List: q, filter, and paging across every user.
			users, _, err := c.UserAPI.ListUsers(ctx).Q("v5@").Execute()
			if err != nil {
				t.Fatalf("ListUsers q: %v", err)
			}
			var logins []string
			for _, u := range users {
				logins = append(logins, u.Profile.GetLogin())
			}
			if diff := cmp.Diff([]string{"v5@example.com"}, sdkSorted(t, logins)); diff != "" {
				t.Errorf("ListUsers q=v5@ (-want +got):\n%s", diff)
			}
			users, _, err = c.UserAPI.ListUsers(ctx).Filter(`status eq "STAGED"`).Execute()
			if err != nil {
				t.Fatalf("ListUsers filter: %v", err)
			}
			logins = nil
			for _, u := range users {
				logins = append(logins, u.Profile.GetLogin())
			}
			if diff := cmp.Diff([]string{"erin@example.com"}, sdkSorted(t, logins)); diff != "" {
				t.Errorf(`ListUsers filter=status eq "STAGED" (-want +got):`+"\n%s", diff)
			}
			var all []string
			page, resp, err := c.UserAPI.ListUsers(ctx).Limit(2).Execute()
			for {
				if err != nil {
					t.Fatalf("ListUsers paging: %v", err)
				}
				for _, u := range page {
					all = append(all, u.Profile.GetLogin())
				}
				if !resp.HasNextPage() {
					break
				}
				var next []oktav5.User
				resp, err = resp.Next(&next)
				page = next
			}
			want := []string{"alice@example.com", "bob@example.com", "carol@example.com", "erin@example.com", "v5@example.com"}
			if diff := cmp.Diff(want, sdkSorted(t, all)); diff != "" {
				t.Errorf("every user, two per page (-want +got):\n%s", diff)
			}

			// Partial and full update.
			nick := oktav5.NewUserProfile()
			nick.SetNickName("vivi")
			upd, _, err := c.UserAPI.UpdateUser(ctx, id).User(oktav5.UpdateUserRequest{Profile: nick}).Execute()
			if err != nil {
				t.Fatalf("UpdateUser: %v", err)
			}
			if diff := cmp.Diff([]string{"vivi", "Vee"}, []string{upd.Profile.GetNickName(), upd.Profile.GetFirstName()}); diff != "" {
				t.Errorf("partial update keeps other attributes (-want +got):\n%s", diff)
			}
			full := oktav5.NewUserProfile()
			full.SetLogin("v5@example.com")
			full.SetEmail("v5@example.com")
			full.SetFirstName("Victor")
			full.SetLastName("Five")
			rep, _, err := c.UserAPI.ReplaceUser(ctx, id).User(oktav5.User{Profile: full}).Execute()
			if err != nil {
				t.Fatalf("ReplaceUser: %v", err)
			}
			if diff := cmp.Diff([]string{"", "Victor"}, []string{rep.Profile.GetNickName(), rep.Profile.GetFirstName()}); diff != "" {
				t.Errorf("full update replaces the profile (-want +got):\n%s", diff)
			}

			// Groups: get, list, rename, members.
			gg, _, err := c.GroupAPI.GetGroup(ctx, g.GetId()).Execute()
			if err != nil || gg.Profile.GetName() != "sdk-v5" {
				t.Fatalf("GetGroup: %v %+v", err, gg)
			}
			groups, _, err := c.GroupAPI.ListGroups(ctx).Q("sdk").Execute()
			if err != nil || len(groups) != 1 || groups[0].GetId() != g.GetId() {
				t.Fatalf("ListGroups q=sdk: %v %d", err, len(groups))
			}
			if _, _, err := c.GroupAPI.ReplaceGroup(ctx, g.GetId()).Group(oktav5.Group{Profile: &oktav5.GroupProfile{
				Name: oktav5.PtrString("sdk-v5-renamed")}}).Execute(); err != nil {
				t.Fatalf("ReplaceGroup: %v", err)
			}
			if _, err := c.GroupAPI.AssignUserToGroup(ctx, g.GetId(), "00ualice000000000000").Execute(); err != nil {
				t.Fatalf("AssignUserToGroup: %v", err)
			}
			members, _, err := c.GroupAPI.ListGroupUsers(ctx, g.GetId()).Execute()
			if err != nil {
				t.Fatalf("ListGroupUsers: %v", err)
			}
			var ids []string
			for _, m := range members {
				ids = append(ids, m.GetId())
			}
			sort.Strings(ids)
			wantIDs := []string{"00ualice000000000000", id}
			sort.Strings(wantIDs)
			if diff := cmp.Diff(wantIDs, ids); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			if _, err := c.GroupAPI.UnassignUserFromGroup(ctx, g.GetId(), "00ualice000000000000").Execute(); err != nil {
				t.Fatalf("UnassignUserFromGroup: %v", err)
			}
			ug, _, err := c.UserAPI.ListUserGroups(ctx, id).Execute()
			if err != nil {
				t.Fatalf("ListUserGroups: %v", err)
			}
			var names []string
			for _, gr := range ug {
				names = append(names, gr.Profile.GetName())
			}
			if diff := cmp.Diff([]string{"Everyone", "sdk-v5-renamed"}, sdkSorted(t, names)); diff != "" {
				t.Errorf("the user's groups (-want +got):\n%s", diff)
			}

			// Delete: the first call deactivates, the second deletes.
			if _, err := c.UserAPI.DeleteUser(ctx, id).Execute(); err != nil {
				t.Fatalf("DeleteUser (deactivate): %v", err)
			}
			got, _, err := c.UserAPI.GetUser(ctx, id).Execute()
			if err != nil || got.GetStatus() != "DEPROVISIONED" {
				t.Fatalf("after the first delete: %v %v", err, got.GetStatus())
			}
			if _, err := c.UserAPI.DeleteUser(ctx, id).Execute(); err != nil {
				t.Fatalf("DeleteUser: %v", err)
			}
			_, resp, err = c.UserAPI.GetUser(ctx, id).Execute()
			if err == nil || resp == nil || resp.StatusCode != 404 {
				t.Fatalf("GetUser after delete: err %v, resp %v; want a 404", err, resp)
			}
			if _, err := c.GroupAPI.DeleteGroup(ctx, g.GetId()).Execute(); err != nil {
				t.Fatalf("DeleteGroup: %v", err)
			}
			if _, resp, err := c.GroupAPI.GetGroup(ctx, g.GetId()).Execute(); err == nil || resp.StatusCode != 404 {
				t.Fatalf("GetGroup after delete: %v", err)
			}
		})
	}
}

func TestSDKv2UsersAndGroups(t *testing.T) {
	for _, e := range emulator.Engines() {
		t.Run(string(e), func(t *testing.T) {
			s := emulatortest.NewServer(t, emulatortest.WithEngine(e))
			c, ctx := sdkV2Client(t, s)

			g, _, err := c.Group.CreateGroup(ctx, oktav2.Group{Profile: &oktav2.GroupProfile{Name: "sdk-v2", Description: "made by the v2 SDK"}})
			if err != nil {
				t.Fatalf("CreateGroup: %v", err)
			}
			activate := true
			created, _, err := c.User.CreateUser(ctx, oktav2.CreateUserRequest{
				Profile: &oktav2.UserProfile{"login": "v2@example.com", "email": "v2@example.com", "firstName": "Vee", "lastName": "Two"},
				Credentials: &oktav2.UserCredentials{
					Password:         &oktav2.PasswordCredential{Value: "Pa55word!Emu"},
					RecoveryQuestion: &oktav2.RecoveryQuestionCredential{Question: "Color?", Answer: "blue sky"},
				},
				GroupIds: []string{g.Id},
			}, &query.Params{Activate: &activate})
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			if diff := cmp.Diff([]any{"ACTIVE", "v2@example.com", "Color?"},
				[]any{created.Status, (*created.Profile)["login"], created.Credentials.RecoveryQuestion.Question}); diff != "" {
				t.Errorf("created user (-want +got):\n%s", diff)
			}
			if created.Credentials.RecoveryQuestion.Answer != "" || created.Credentials.Password.Value != "" {
				t.Errorf("credentials read back: %+v %+v", created.Credentials.RecoveryQuestion, created.Credentials.Password)
			}
			id := created.Id

			for _, key := range []string{id, "v2@example.com"} {
				got, _, err := c.User.GetUser(ctx, key)
				if err != nil || got.Id != id {
					t.Fatalf("GetUser(%s): %v", key, err)
				}
			}
			users, _, err := c.User.ListUsers(ctx, &query.Params{Search: `profile.login eq "v2@example.com"`})
			if err != nil || len(users) != 1 || users[0].Id != id {
				t.Fatalf("ListUsers search: %v %d", err, len(users))
			}
			users, resp, err := c.User.ListUsers(ctx, &query.Params{Limit: 2})
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			var logins []string
			for {
				for _, u := range users {
					logins = append(logins, (*u.Profile)["login"].(string))
				}
				if !resp.HasNextPage() {
					break
				}
				users = nil
				if resp, err = resp.Next(ctx, &users); err != nil {
					t.Fatalf("next page: %v", err)
				}
			}
			want := []string{"alice@example.com", "bob@example.com", "carol@example.com", "erin@example.com", "v2@example.com"}
			if diff := cmp.Diff(want, sdkSorted(t, logins)); diff != "" {
				t.Errorf("every user, two per page (-want +got):\n%s", diff)
			}

			// Partial update (POST) then full update (PUT) of the whole user.
			upd, _, err := c.User.PartialUpdateUser(ctx, id, oktav2.User{Profile: &oktav2.UserProfile{"nickName": "vivi"}}, nil)
			if err != nil {
				t.Fatalf("PartialUpdateUser: %v", err)
			}
			if diff := cmp.Diff([]any{"vivi", "Vee"}, []any{(*upd.Profile)["nickName"], (*upd.Profile)["firstName"]}); diff != "" {
				t.Errorf("partial update (-want +got):\n%s", diff)
			}
			(*upd.Profile)["firstName"] = "Victor"
			delete(*upd.Profile, "nickName")
			// The SDK's pattern sends the fetched user back whole, with
			// credentials.recovery_question holding the question and no
			// answer (and an empty password object).
			if upd.Credentials == nil || upd.Credentials.RecoveryQuestion == nil || upd.Credentials.RecoveryQuestion.Question != "Color?" {
				t.Fatalf("partial update lost the credentials read-back: %+v", upd.Credentials)
			}
			rep, _, err := c.User.UpdateUser(ctx, id, *upd, nil)
			if err != nil {
				t.Fatalf("UpdateUser: %v", err)
			}
			if _, has := (*rep.Profile)["nickName"]; has || (*rep.Profile)["firstName"] != "Victor" {
				t.Errorf("full update: profile %v", *rep.Profile)
			}

			// Groups.
			if got, _, err := c.Group.GetGroup(ctx, g.Id); err != nil || got.Profile.Name != "sdk-v2" {
				t.Fatalf("GetGroup: %v", err)
			}
			if list, _, err := c.Group.ListGroups(ctx, &query.Params{Q: "sdk-v2"}); err != nil || len(list) != 1 {
				t.Fatalf("ListGroups: %v %d", err, len(list))
			}
			if _, _, err := c.Group.UpdateGroup(ctx, g.Id, oktav2.Group{Profile: &oktav2.GroupProfile{Name: "sdk-v2-renamed"}}); err != nil {
				t.Fatalf("UpdateGroup: %v", err)
			}
			if _, err := c.Group.AddUserToGroup(ctx, g.Id, "00ubob00000000000000"); err != nil {
				t.Fatalf("AddUserToGroup: %v", err)
			}
			members, _, err := c.Group.ListGroupUsers(ctx, g.Id, nil)
			if err != nil {
				t.Fatalf("ListGroupUsers: %v", err)
			}
			var ids []string
			for _, m := range members {
				ids = append(ids, m.Id)
			}
			sort.Strings(ids)
			wantIDs := []string{"00ubob00000000000000", id}
			sort.Strings(wantIDs)
			if diff := cmp.Diff(wantIDs, ids); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			if _, err := c.Group.RemoveUserFromGroup(ctx, g.Id, "00ubob00000000000000"); err != nil {
				t.Fatalf("RemoveUserFromGroup: %v", err)
			}
			ug, _, err := c.User.ListUserGroups(ctx, id)
			if err != nil {
				t.Fatalf("ListUserGroups: %v", err)
			}
			var names []string
			for _, gr := range ug {
				names = append(names, gr.Profile.Name)
			}
			if diff := cmp.Diff([]string{"Everyone", "sdk-v2-renamed"}, sdkSorted(t, names)); diff != "" {
				t.Errorf("the user's groups (-want +got):\n%s", diff)
			}

			// Deactivate, then delete.
			if _, err := c.User.DeactivateUser(ctx, id, nil); err != nil {
				t.Fatalf("DeactivateUser: %v", err)
			}
			if got, _, err := c.User.GetUser(ctx, id); err != nil || got.Status != "DEPROVISIONED" {
				t.Fatalf("after deactivate: %v", err)
			}
			if _, err := c.User.DeactivateOrDeleteUser(ctx, id, nil); err != nil {
				t.Fatalf("DeactivateOrDeleteUser: %v", err)
			}
			_, resp, err = c.User.GetUser(ctx, id)
			if err == nil || resp == nil || resp.StatusCode != 404 {
				t.Fatalf("GetUser after delete: %v; want a 404", err)
			}
			if _, err := c.Group.DeleteGroup(ctx, g.Id); err != nil {
				t.Fatalf("DeleteGroup: %v", err)
			}
		})
	}
}
