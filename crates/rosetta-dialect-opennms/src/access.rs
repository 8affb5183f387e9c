//! OpenNMS authorisation: the URL-level role rules of spring-security (spec §1.3) and the
//! resource-level alarm checks (§1.4), over the roles `PermissionSet::opennms_roles` derives.

use rosetta_auth::Principal;
use rosetta_core::GatewayError;

use crate::call::Verb;

fn has_any(principal: &Principal, wanted: &[&str]) -> bool {
    let roles = principal.permissions().opennms_roles();
    wanted.iter().any(|role| roles.contains(role))
}

/// Applies the URL rules: `first` is the first path segment after the API base.
pub fn check_url(principal: &Principal, verb: Verb, first: &str) -> Result<(), GatewayError> {
    let allowed: &[&str] = match (verb, first) {
        (Verb::Options, _) => return Ok(()),
        (_, "foreignSources" | "requisitions") => &["ROLE_PROVISION", "ROLE_REST", "ROLE_ADMIN"],
        (Verb::Get, _) => &["ROLE_REST", "ROLE_ADMIN", "ROLE_MOBILE", "ROLE_USER"],
        (Verb::Put, "alarms" | "nodes" | "ifservices") => &["ROLE_MOBILE", "ROLE_REST", "ROLE_ADMIN"],
        (Verb::Post, "measurements") => &["ROLE_REST", "ROLE_ADMIN", "ROLE_USER"],
        _ => &["ROLE_REST", "ROLE_ADMIN"],
    };
    if has_any(principal, allowed) {
        Ok(())
    } else {
        Err(GatewayError::forbidden("Access is denied"))
    }
}

/// May the principal read alarms?
pub fn check_alarm_read(principal: &Principal) -> Result<(), GatewayError> {
    if has_any(principal, &["ROLE_ADMIN", "ROLE_REST", "ROLE_USER", "ROLE_MOBILE"]) {
        return Ok(());
    }
    Err(GatewayError::forbidden(format!("User '{}', is not allowed to read alarms.", principal.login())))
}

/// May the principal modify an alarm, possibly on behalf of `ack_user`?
pub fn check_alarm_modify(principal: &Principal, ack_user: Option<&str>) -> Result<(), GatewayError> {
    let login = principal.login();
    if has_any(principal, &["ROLE_ADMIN"]) {
        return Ok(());
    }
    if has_any(principal, &["ROLE_READONLY"]) {
        return Err(GatewayError::forbidden(format!("User '{login}', is a read-only user!")));
    }
    if has_any(principal, &["ROLE_REST", "ROLE_USER", "ROLE_MOBILE"]) {
        let on_behalf = ack_user.filter(|user| !user.is_empty() && *user != login);
        if on_behalf.is_none() || has_any(principal, &["ROLE_DELEGATE"]) {
            return Ok(());
        }
        let other = on_behalf.unwrap_or_default();
        return Err(GatewayError::forbidden(format!(
            "User '{login}', is not allowed to perform updates to alarms as user '{other}'"
        )));
    }
    Err(GatewayError::forbidden(format!("User '{login}', is not allowed to perform updates to alarms")))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rosetta_auth::{AuthMethod, TenantScope};
    use rosetta_model::{Meta, Native, Permission, Role, User};

    use super::*;

    fn principal(permissions: &[Permission]) -> Principal {
        let role = Role {
            meta: Meta::new(5),
            name: "test".into(),
            description: String::new(),
            permissions: permissions.iter().copied().collect(),
            hostgroups: vec![],
            native: Native::new(),
        };
        let user = User {
            meta: Meta::new(7),
            login: "ranger".into(),
            fullname: String::new(),
            email: String::new(),
            role: 5,
            tenants: vec![],
            active: true,
            password_hash: None,
            native: Native::new(),
        };
        Principal {
            user: Arc::new(user),
            role: Arc::new(role),
            method: AuthMethod::Basic,
            scope: std::sync::Arc::new(TenantScope::everything()),
        }
    }

    #[test]
    fn url_rules_follow_spring_security() {
        let viewer = principal(&[Permission::ViewAll]);
        assert!(check_url(&viewer, Verb::Get, "alarms").is_ok());
        assert!(check_url(&viewer, Verb::Put, "alarms").is_err());
        assert!(check_url(&viewer, Verb::Get, "requisitions").is_err());
        assert!(check_url(&viewer, Verb::Post, "measurements").is_ok());
        assert!(check_url(&viewer, Verb::Options, "anything").is_ok());
        let rest = principal(&[Permission::ViewAll, Permission::ConfigureSave, Permission::ConfigureHosts]);
        assert!(check_url(&rest, Verb::Delete, "nodes").is_ok());
        assert!(check_url(&rest, Verb::Post, "requisitions").is_ok());
        let nobody = principal(&[Permission::ViewportAccess]);
        assert_eq!(check_url(&nobody, Verb::Get, "nodes").map_err(|err| err.message), Err("Access is denied".into()));
    }

    #[test]
    fn alarm_rules_follow_the_resources() {
        let nobody = principal(&[Permission::ViewportAccess]);
        let denied = check_alarm_read(&nobody).expect_err("denied");
        assert_eq!(denied.message, "User 'ranger', is not allowed to read alarms.");
        let viewer = principal(&[Permission::ViewAll]);
        let read_only = check_alarm_modify(&viewer, None).expect_err("read-only");
        assert_eq!(read_only.message, "User 'ranger', is a read-only user!");
        let rest = principal(&[Permission::ViewAll, Permission::ConfigureSave]);
        assert!(check_alarm_modify(&rest, None).is_ok());
        assert!(check_alarm_modify(&rest, Some("ranger")).is_ok());
        let other = check_alarm_modify(&rest, Some("bob")).expect_err("on behalf");
        assert_eq!(other.message, "User 'ranger', is not allowed to perform updates to alarms as user 'bob'");
        let delegate = principal(&[Permission::ViewAll, Permission::ConfigureSave, Permission::ActionAll]);
        assert!(check_alarm_modify(&delegate, Some("bob")).is_ok());
    }
}
