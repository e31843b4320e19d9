//! B's users in the matrix: an Operator whose name and address are markers, and the
//! fingerprint of every user of B and of B's sign-in rules.

use crate::helpers::TestApp;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use server::entities::{merchant, password_reset_token, user};

/// The name and address of B's Operator: neither may reach an answer to A.
pub(crate) const B_USER_MARKERS: [&str; 2] = ["B-secret-clerk", "b-clerk-secret@b.example"];

/// B's Operator, renamed with the markers: their id.
pub(crate) async fn b_user(app: &TestApp, b: i64) -> i64 {
    let operator = user::Entity::find()
        .filter(user::Column::MerchantId.eq(b))
        .filter(user::Column::Login.eq("operator"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("B's operator");
    let mut active = operator.into_active_model();
    active.full_name = Set(B_USER_MARKERS[0].to_owned());
    active.email = Set(Some(B_USER_MARKERS[1].to_owned()));
    active.update(&app.db).await.unwrap().id
}

/// Every user of B as stored (role, rights, state, lock, second factor, sessions), the
/// links mailed to them, and B's sign-in rules.
pub(crate) async fn fingerprint(app: &TestApp, b: i64) -> Vec<String> {
    let users = user::Entity::find()
        .filter(user::Column::MerchantId.eq(b))
        .order_by_asc(user::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let mut out: Vec<String> = users
        .iter()
        .map(|u| {
            format!(
                "user {} {} {} {:?} {} {} {} {:?} {:?} {} {}",
                u.login,
                u.full_name,
                u.role,
                u.email,
                u.may_refund,
                u.active,
                u.failed_logins,
                u.locked_until,
                u.totp_last_step,
                u.two_factor,
                u.session_epoch
            )
        })
        .collect();
    let links = password_reset_token::Entity::find()
        .filter(password_reset_token::Column::UserId.is_in(ids))
        .all(&app.db)
        .await
        .unwrap()
        .len();
    out.push(format!("reset links {links}"));
    let m = merchant::Entity::find_by_id(b)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    out.push(format!(
        "rules {} {} {}",
        m.require_two_factor, m.password_min_length, m.password_lifetime_days
    ));
    out
}
