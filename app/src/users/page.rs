//! `/configuration/users` (MB-12): the merchant's users with role, refund right, second
//! factor, last sign-in and state; a new user by a form whose link they receive by
//! e-mail; a user's dialog to edit them, send a new password, unlock, reset their second
//! factor, deactivate or reactivate them — the last two after confirmation. Below the
//! list, the PSPID's sign-in rules ([`super::settings`]).

use super::api::{
    load_users, CreateUser, DeactivateUser, ReactivateUser, ResetUserTwoFactor, SendUserPassword,
    UnlockUser, UpdateUser,
};
use super::settings::SignInRules;
use super::{SecondFactor, UserAction, UserRow};
use crate::account::shell::role_text;
use crate::components::loaded;
use crate::components::{error_text, last_error, problem_text, ErrorAlert, Field};
use crate::configuration::{failure, title};
use crate::error::AppError;
use crate::i18n::{t, use_lang, T};
use domain::{Lang, Role};
use leptos::prelude::*;

/// The label of a second factor.
fn factor_text(factor: SecondFactor) -> &'static str {
    t(match factor {
        SecondFactor::Off => T::UserTwoFactorOff,
        SecondFactor::Authenticator => T::UserTwoFactorApp,
        SecondFactor::Email => T::UserTwoFactorEmail,
    })
}

/// A user's state: active or deactivated, and locked while a lock runs.
fn state_cell(user: &UserRow) -> impl IntoView {
    let (class, text) = if user.active {
        ("status status-done", t(T::UserActive))
    } else {
        ("status status-failed", t(T::UserDeactivated))
    };
    let locked = user.locked_until.clone().map(|until| {
        view! { " "<span class="status status-new">{t(T::UserLocked).replace("{until}", &until)}</span> }
    });
    view! { <span class=class>{text}</span>{locked} }
}

/// The role drop-down of the create and edit forms.
fn role_select(
    form: &'static str,
    selected: Role,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("{form}-role");
    let problem = move || {
        error
            .get()
            .and_then(|e| e.problem_for("role").map(problem_text))
    };
    view! {
        <div class="field" class:field-invalid=move || problem().is_some()>
            <label for=id.clone()>{t(T::Role)}</label>
            <select id=id name="role">
                {[Role::Admin, Role::Operator, Role::ReadOnly].into_iter().map(|role| view! {
                    <option value=role.code() selected=role == selected>{role_text(role)}</option>
                }).collect_view()}
            </select>
            <p class="field-error">{problem}</p>
        </div>
    }
}

/// The "may refund" checkbox of the create and edit forms.
fn refund_box(form: &'static str, checked: bool) -> impl IntoView {
    let id = format!("{form}-may_refund");
    view! {
        <div class="field checkbox">
            <input type="checkbox" id=id.clone() name="may_refund" value="on" checked=checked aria-describedby=format!("{id}-hint")/>
            <label for=id.clone()>{t(T::UserMayRefund)}</label>
            <p class="muted" id=format!("{id}-hint")>{t(T::UserMayRefundHint)}</p>
        </div>
    }
}

/// The dialog that creates a user.
#[component]
fn CreateDialog(action: ServerAction<CreateUser>, open: RwSignal<bool>) -> impl IntoView {
    let error = last_error(action.value());
    let lang = use_lang();
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="create-user-title">
                <h2 id="create-user-title">{t(T::UserCreateTitle)}</h2>
                <p class="muted">{t(T::UserCreateHint)}</p>
                <ErrorAlert error=error/>
                <ActionForm action=action attr:class="form">
                    <Field label=T::UserId name="login" error=error required=true form="new-user" autocomplete="off"/>
                    <Field label=T::FullName name="full_name" error=error required=true form="new-user" autocomplete="off"/>
                    <Field label=T::UserEmail name="email" kind="email" error=error required=true form="new-user" autocomplete="off"/>
                    {role_select("new-user", Role::Operator, error)}
                    {refund_box("new-user", false)}
                    <div class="field">
                        <label for="new-user-language">{t(T::UserLanguage)}</label>
                        <select id="new-user-language" name="language">
                            {Lang::ALL.into_iter().map(|l| view! {
                                <option value=l.code() selected=l == lang>{l.native_name()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || action.pending().get()>{t(T::UserCreate)}</button>
                        <button type="button" class="button" on:click=move |_| open.set(false)>{t(T::Cancel)}</button>
                    </div>
                </ActionForm>
            </div>
        </div>
    }
}

/// The actions on one user, dispatched from their dialog.
#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateUser>,
    deactivate: ServerAction<DeactivateUser>,
    reactivate: ServerAction<ReactivateUser>,
    unlock: ServerAction<UnlockUser>,
    send_password: ServerAction<SendUserPassword>,
    reset_two_factor: ServerAction<ResetUserTwoFactor>,
}

impl Actions {
    fn new() -> Self {
        Actions {
            update: ServerAction::new(),
            deactivate: ServerAction::new(),
            reactivate: ServerAction::new(),
            unlock: ServerAction::new(),
            send_password: ServerAction::new(),
            reset_two_factor: ServerAction::new(),
        }
    }

    fn dispatch(self, id: i64, action: UserAction) {
        match action {
            UserAction::Deactivate => {
                self.deactivate.dispatch(DeactivateUser { id });
            }
            UserAction::Reactivate => {
                self.reactivate.dispatch(ReactivateUser { id });
            }
            UserAction::Unlock => {
                self.unlock.dispatch(UnlockUser { id });
            }
            UserAction::SendPassword => {
                self.send_password.dispatch(SendUserPassword { id });
            }
            UserAction::ResetTwoFactor => {
                self.reset_two_factor.dispatch(ResetUserTwoFactor { id });
            }
        }
    }

    /// Changes whenever any of them finished, for the list to load again.
    fn versions(self) -> [usize; 6] {
        [
            self.update.version().get(),
            self.deactivate.version().get(),
            self.reactivate.version().get(),
            self.unlock.version().get(),
            self.send_password.version().get(),
            self.reset_two_factor.version().get(),
        ]
    }

    fn pending(self) -> bool {
        self.update.pending().get()
            || self.deactivate.pending().get()
            || self.reactivate.pending().get()
            || self.unlock.pending().get()
            || self.send_password.pending().get()
            || self.reset_two_factor.pending().get()
    }
}

/// What an action that succeeded says, with the user it was done to.
fn done_text(action: Option<UserAction>, user: &UserRow) -> String {
    let text = match action {
        None => t(T::Saved),
        Some(UserAction::Deactivate) => t(T::UserDeactivatedDone),
        Some(UserAction::Reactivate) => t(T::UserReactivatedDone),
        Some(UserAction::Unlock) => t(T::UserUnlocked),
        Some(UserAction::SendPassword) => t(T::UserPasswordLinkSent),
        Some(UserAction::ResetTwoFactor) => t(T::UserTwoFactorResetDone),
    };
    text.replace("{login}", &user.login)
        .replace("{email}", &user.email)
}

/// One user's dialog: the edit form, then their access, each destructive step confirmed.
#[component]
fn UserDialog(
    user: UserRow,
    actions: Actions,
    editing: RwSignal<Option<UserRow>>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let confirming: RwSignal<Option<UserAction>> = RwSignal::new(None);
    let id = user.id;
    let login = user.login.clone();
    let error_signal = Signal::derive(move || error.get());
    let user_problem = move || {
        error
            .get()
            .and_then(|e| e.problem_for("user").map(problem_text))
    };
    let close = move |_| {
        editing.set(None);
        error.set(None);
    };
    let ask = move |action: UserAction| {
        error.set(None);
        confirming.set(Some(action));
    };
    let run = move |action: UserAction| {
        error.set(None);
        confirming.set(None);
        actions.dispatch(id, action);
    };
    let confirm_text = {
        let login = login.clone();
        move |action: UserAction| {
            let text = match action {
                UserAction::Deactivate => t(T::UserDeactivateConfirm),
                _ => t(T::UserResetTwoFactorConfirm),
            };
            text.replace("{login}", &login)
        }
    };
    let action_label = |action: UserAction| {
        t(match action {
            UserAction::Deactivate => T::UserDeactivate,
            UserAction::Reactivate => T::UserReactivate,
            UserAction::Unlock => T::UserUnlock,
            UserAction::SendPassword => T::UserSendPassword,
            UserAction::ResetTwoFactor => T::UserResetTwoFactor,
        })
    };
    let (active, locked, factor) = (user.active, user.locked_until.is_some(), user.second_factor);
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="user-title">
                <h2 id="user-title">{t(T::UserEditTitle).replace("{login}", &login)}</h2>
                <p>{state_cell(&user)}</p>
                {move || error.get().and_then(|e| error_text(&e)).map(|text| view! {
                    <p class="alert alert-error" role="alert">{text}</p>
                })}
                {move || user_problem().map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })}
                <ActionForm action=actions.update attr:class="form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <Field label=T::FullName name="full_name" error=error_signal value=user.full_name.clone() required=true form="edit-user"/>
                    <Field label=T::UserEmail name="email" kind="email" error=error_signal value=user.email.clone() required=true form="edit-user"/>
                    {role_select("edit-user", user.role, error_signal)}
                    {refund_box("edit-user", user.may_refund)}
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || actions.pending()>{t(T::UserSave)}</button>
                        <button type="button" class="button" on:click=close>{t(T::Cancel)}</button>
                    </div>
                </ActionForm>
                <h3>{t(T::UserAccessTitle)}</h3>
                {move || match confirming.get() {
                    Some(action) => view! {
                        <div class="card" role="group" aria-labelledby="user-confirm">
                            <p id="user-confirm">{confirm_text(action)}</p>
                            <div class="actions">
                                <button type="button" class="button danger" disabled=move || actions.pending()
                                    on:click=move |_| run(action)>{action_label(action)}</button>
                                <button type="button" class="button" on:click=move |_| confirming.set(None)>{t(T::Cancel)}</button>
                            </div>
                        </div>
                    }.into_any(),
                    None => view! {
                        <p class="muted">{t(T::UserSendPasswordHint)}</p>
                        <div class="actions">
                            <button type="button" class="button" disabled=move || actions.pending()
                                on:click=move |_| run(UserAction::SendPassword)>{t(T::UserSendPassword)}</button>
                            {locked.then(|| view! {
                                <button type="button" class="button" disabled=move || actions.pending()
                                    on:click=move |_| run(UserAction::Unlock)>{t(T::UserUnlock)}</button>
                            })}
                            {(factor != SecondFactor::Off).then(|| view! {
                                <button type="button" class="button danger"
                                    on:click=move |_| ask(UserAction::ResetTwoFactor)>{t(T::UserResetTwoFactor)}</button>
                            })}
                            {if active {
                                view! {
                                    <button type="button" class="button danger"
                                        on:click=move |_| ask(UserAction::Deactivate)>{t(T::UserDeactivate)}</button>
                                }.into_any()
                            } else {
                                view! {
                                    <button type="button" class="button" disabled=move || actions.pending()
                                        on:click=move |_| run(UserAction::Reactivate)>{t(T::UserReactivate)}</button>
                                }.into_any()
                            }}
                        </div>
                    }.into_any(),
                }}
            </div>
        </div>
    }
}

/// The users' table.
fn users_table(
    users: Vec<UserRow>,
    zone_label: &str,
    editing: RwSignal<Option<UserRow>>,
) -> AnyView {
    view! {
        <div class="card table-wrap">
            <table class="table" data-testid="users">
                <thead><tr>
                    <th scope="col">{t(T::UserId)}</th>
                    <th scope="col">{t(T::FullName)}</th>
                    <th scope="col">{t(T::UserEmail)}</th>
                    <th scope="col">{t(T::Role)}</th>
                    <th scope="col">{t(T::UserMayRefund)}</th>
                    <th scope="col">{t(T::UserTwoFactor)}</th>
                    <th scope="col">{t(T::UserLastSignIn).replace("{zone}", zone_label)}</th>
                    <th scope="col">{t(T::StatusLabel)}</th>
                    <th scope="col"><span class="sr-only">{t(T::ActionsLabel)}</span></th>
                </tr></thead>
                <tbody>
                    {users.into_iter().map(|user| {
                        let you = user.is_you.then(|| view! { " "<span class="muted">"(" {t(T::UserYou)} ")"</span> });
                        let aria = t(T::UserEditAria).replace("{login}", &user.login);
                        let row = user.clone();
                        view! {
                            <tr>
                                <td class="mono">{user.login.clone()}{you}</td>
                                <td>{user.full_name.clone()}</td>
                                <td>{user.email.clone()}</td>
                                <td>{role_text(user.role)}</td>
                                <td>{t(if user.may_refund { T::UserYes } else { T::UserNo })}</td>
                                <td>{factor_text(user.second_factor)}</td>
                                <td>{user.last_login.clone().unwrap_or_else(|| t(T::Never).to_owned())}</td>
                                <td>{state_cell(&user)}</td>
                                <td>
                                    <button type="button" class="button" aria-label=aria
                                        on:click=move |_| editing.set(Some(row.clone()))>{t(T::Edit)}</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// `/configuration/users`.
#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let actions = Actions::new();
    let creating = RwSignal::new(false);
    let editing: RwSignal<Option<UserRow>> = RwSignal::new(None);
    let dialog_error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let notice: RwSignal<Option<String>> = RwSignal::new(None);
    let overview = Resource::new(
        move || (create.version().get(), actions.versions()),
        |_| load_users(),
    );
    Effect::new(move |_| {
        if let Some(Ok(user)) = create.value().get() {
            creating.set(false);
            notice.set(Some(
                t(T::UserCreated)
                    .replace("{login}", &user.login)
                    .replace("{email}", &user.email),
            ));
        }
    });
    // Every action on a user ends the same way: the dialog closes with what was done,
    // or stays open with the error next to its field or on top.
    let settle =
        move |result: Option<Result<UserRow, AppError>>, action: Option<UserAction>| match result {
            Some(Ok(user)) => {
                editing.set(None);
                dialog_error.set(None);
                notice.set(Some(done_text(action, &user)));
            }
            Some(Err(e)) => dialog_error.set(Some(e)),
            None => {}
        };
    // A dialog opens without the last one's error.
    Effect::new(move |_| {
        if editing.get().is_some() {
            dialog_error.set(None);
        }
    });
    Effect::new(move |_| settle(actions.update.value().get(), None));
    Effect::new(move |_| {
        settle(
            actions.deactivate.value().get(),
            Some(UserAction::Deactivate),
        )
    });
    Effect::new(move |_| {
        settle(
            actions.reactivate.value().get(),
            Some(UserAction::Reactivate),
        )
    });
    Effect::new(move |_| settle(actions.unlock.value().get(), Some(UserAction::Unlock)));
    Effect::new(move |_| {
        settle(
            actions.send_password.value().get(),
            Some(UserAction::SendPassword),
        )
    });
    Effect::new(move |_| {
        settle(
            actions.reset_two_factor.value().get(),
            Some(UserAction::ResetTwoFactor),
        )
    });
    view! {
        {title(T::UsersTitle)}
        <h1>{t(T::UsersTitle)}</h1>
        <div class="list-head">
            <p class="muted">{t(T::UsersIntro)}</p>
            <button type="button" class="button primary" on:click=move |_| {
                notice.set(None);
                create.value().set(None);
                creating.set(true);
            }>{t(T::UserNew)}</button>
        </div>
        {move || notice.get().map(|text| view! { <p class="alert alert-success" role="status">{text}</p> })}
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(overview).await {
                    Err(e) => failure(&e),
                    Ok(o) => view! {
                        {users_table(o.users.clone(), &o.zone_label, editing)}
                        <SignInRules overview=o/>
                    }.into_any(),
                }
            })}
        </Suspense>
        {move || creating.get().then(|| view! { <CreateDialog action=create open=creating/> })}
        {move || editing.get().map(|user| view! {
            <UserDialog user=user actions=actions editing=editing error=dialog_error/>
        })}
    }
}
