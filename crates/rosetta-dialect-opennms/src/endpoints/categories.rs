//! Category writes: `POST /rest/categories` and `DELETE /rest/categories/{name}` create and delete
//! host groups.

use http::StatusCode;
use rosetta_core::{GatewayError, Response};
use rosetta_model::{Host, HostGroup, Meta, Native, ROOT_TENANT};

use crate::call::{status, Call};
use crate::endpoints::nodes::flat_body;
use crate::entity::category_by_name;

/// `POST /rest/categories` (`<category name="X"><description/></category>` or JSON) → 201.
pub async fn create_category(call: &Call) -> Result<Response, GatewayError> {
    call.principal()?;
    let (_, fields) = flat_body(&call.body)?;
    let name = fields.get("name").map(|name| name.trim().to_owned()).unwrap_or_default();
    if name.is_empty() {
        return Err(GatewayError::bad_request("Category name must be set."));
    }
    if category_by_name(call.db(), &name).is_some() {
        return Err(GatewayError::bad_request(format!("A category with name '{name}' already exists.")));
    }
    let description = fields.get("description").cloned().unwrap_or_default();
    let group_name = name.clone();
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            let parent = tx.get::<HostGroup>(1).map(|group| group.meta.id);
            tx.insert(HostGroup {
                meta: Meta::new(0),
                name: group_name,
                parent,
                tenant: ROOT_TENANT,
                description,
                native: Native::new(),
            });
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(call.created(&name))
}

/// `DELETE /rest/categories/{name}` → 204; the group leaves every host. Groups with sub-groups
/// (Opsview's tree) are refused with 400.
pub async fn delete_category(call: &Call, name: &str) -> Result<Response, GatewayError> {
    call.principal()?;
    let group = category_by_name(call.db(), name)
        .ok_or_else(|| GatewayError::not_found(format!("Category {name} was not found.")))?;
    let group_id = group.meta.id;
    if call.db().all::<HostGroup>().iter().any(|other| other.parent == Some(group_id)) {
        return Err(GatewayError::bad_request(format!("Category '{name}' has sub-groups and cannot be deleted.")));
    }
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            for host in tx.all::<Host>().into_iter().filter(|host| host.hostgroups.contains(&group_id)) {
                let mut changed = (*host).clone();
                changed.hostgroups.retain(|id| *id != group_id);
                tx.update(changed);
            }
            tx.delete::<HostGroup>(group_id);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}
