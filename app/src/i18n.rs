//! The back office's six catalogues (MB-5).
//!
//! Every text is one [`T`] variant with its six translations side by side, so a string
//! cannot exist in one language and be missing in another: the compiler checks it.
//! The language of a page is provided as context; changing it reloads the page so the
//! server renders the new `<html lang>`.

use domain::Lang;
use leptos::prelude::*;

macro_rules! catalogue {
    ($($key:ident => [$en:expr, $fr:expr, $nl:expr, $de:expr, $es:expr, $it:expr $(,)?]),* $(,)?) => {
        /// A user-interface text.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum T { $($key),* }

        impl T {
            /// Every key, for catalogue tests.
            pub const ALL: &'static [T] = &[$(T::$key),*];

            /// This text in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                let row: [&'static str; 6] = match self { $(T::$key => [$en, $fr, $nl, $de, $es, $it]),* };
                row[lang.index()]
            }
        }
    };
}

catalogue! {
    AppName => ["OpenPSP back office", "Back-office OpenPSP", "OpenPSP-backoffice", "OpenPSP-Backoffice", "Back office de OpenPSP", "Back office OpenPSP"],
    LoginTitleTest => ["Identification (TEST)", "Identification (TEST)", "Identificatie (TEST)", "Identifikation (TEST)", "Identificación (TEST)", "Identificazione (TEST)"],
    LoginTitleProduction => ["Identification (Production)", "Identification (Production)", "Identificatie (Productie)", "Identifikation (Produktion)", "Identificación (Producción)", "Identificazione (Produzione)"],
    Pspid => ["PSPID", "PSPID", "PSPID", "PSPID", "PSPID", "PSPID"],
    PspidOptional => ["PSPID (optional)", "PSPID (facultatif)", "PSPID (optioneel)", "PSPID (optional)", "PSPID (opcional)", "PSPID (facoltativo)"],
    UserId => ["UserID", "UserID", "UserID", "UserID", "UserID", "UserID"],
    Password => ["Password", "Mot de passe", "Wachtwoord", "Passwort", "Contraseña", "Password"],
    LogIn => ["Log in", "Se connecter", "Inloggen", "Anmelden", "Iniciar sesión", "Accedi"],
    LoginAsUser => ["Login as user", "Connexion en tant qu'utilisateur", "Inloggen als gebruiker", "Als Benutzer anmelden", "Iniciar sesión como usuario", "Accedi come utente"],
    LoginWithPspid => ["Login with PSPID", "Connexion avec le PSPID", "Inloggen met PSPID", "Mit PSPID anmelden", "Iniciar sesión con el PSPID", "Accedi con il PSPID"],
    AccessToTest => ["Access to test", "Accès à l'environnement de test", "Toegang tot test", "Zugang zur Testumgebung", "Acceso a pruebas", "Accesso al test"],
    AccessToProduction => ["Access to production", "Accès à la production", "Toegang tot productie", "Zugang zur Produktion", "Acceso a producción", "Accesso alla produzione"],
    ForgotPassword => ["Forgot your password?", "Mot de passe oublié ?", "Wachtwoord vergeten?", "Passwort vergessen?", "¿Ha olvidado su contraseña?", "Password dimenticata?"],
    ErrInvalidCredentials => ["The identifier or the password is incorrect.", "L'identifiant ou le mot de passe est incorrect.", "De gebruikersnaam of het wachtwoord is onjuist.", "Kennung oder Passwort ist falsch.", "El identificador o la contraseña no son correctos.", "L'identificativo o la password non sono corretti."],
    ErrLocked => ["This account is locked after too many failed attempts. Try again after {until}.", "Ce compte est verrouillé après trop de tentatives échouées. Réessayez après {until}.", "Dit account is geblokkeerd na te veel mislukte pogingen. Probeer het opnieuw na {until}.", "Dieses Konto ist nach zu vielen Fehlversuchen gesperrt. Versuchen Sie es nach {until} erneut.", "Esta cuenta está bloqueada tras demasiados intentos fallidos. Vuelva a intentarlo después de las {until}.", "Questo account è bloccato dopo troppi tentativi falliti. Riprova dopo le {until}."],
    ErrRateLimited => ["Too many login attempts from your address. Wait a minute and try again.", "Trop de tentatives de connexion depuis votre adresse. Patientez une minute puis réessayez.", "Te veel inlogpogingen vanaf uw adres. Wacht een minuut en probeer het opnieuw.", "Zu viele Anmeldeversuche von Ihrer Adresse. Warten Sie eine Minute und versuchen Sie es erneut.", "Demasiados intentos de inicio de sesión desde su dirección. Espere un minuto y vuelva a intentarlo.", "Troppi tentativi di accesso dal tuo indirizzo. Attendi un minuto e riprova."],
    ErrRequired => ["This field is required.", "Ce champ est obligatoire.", "Dit veld is verplicht.", "Dieses Feld ist erforderlich.", "Este campo es obligatorio.", "Questo campo è obbligatorio."],
    ErrGeneric => ["Something went wrong. Please try again.", "Une erreur s'est produite. Veuillez réessayer.", "Er is iets misgegaan. Probeer het opnieuw.", "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.", "Algo ha fallado. Vuelva a intentarlo.", "Si è verificato un errore. Riprova."],
    ErrSessionExpired => ["Your session has ended. Please log in again.", "Votre session a expiré. Veuillez vous reconnecter.", "Uw sessie is verlopen. Log opnieuw in.", "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "Su sesión ha caducado. Vuelva a iniciar sesión.", "La sessione è scaduta. Accedi di nuovo."],
    ErrForbidden => ["Your role does not allow this action.", "Votre rôle ne permet pas cette action.", "Uw rol staat deze actie niet toe.", "Ihre Rolle erlaubt diese Aktion nicht.", "Su rol no permite esta acción.", "Il tuo ruolo non consente questa azione."],
    MenuHome => ["Home", "Accueil", "Home", "Startseite", "Inicio", "Home"],
    MainMenu => ["Account menu", "Menu du compte", "Accountmenu", "Kontomenü", "Menú de la cuenta", "Menu dell'account"],
    RoleAdmin => ["Admin", "Administrateur", "Beheerder", "Administrator", "Administrador", "Amministratore"],
    RoleOperator => ["Operator", "Opérateur", "Operator", "Operator", "Operador", "Operatore"],
    RoleReadOnly => ["Read-only", "Lecture seule", "Alleen lezen", "Nur Lesen", "Solo lectura", "Sola lettura"],
    UserProfile => ["User profile", "Profil utilisateur", "Gebruikersprofiel", "Benutzerprofil", "Perfil de usuario", "Profilo utente"],
    User => ["User", "Utilisateur", "Gebruiker", "Benutzer", "Usuario", "Utente"],
    Role => ["Role", "Rôle", "Rol", "Rolle", "Rol", "Ruolo"],
    LastLogin => ["Last login", "Dernière connexion", "Laatste aanmelding", "Letzte Anmeldung", "Último inicio de sesión", "Ultimo accesso"],
    FirstLogin => ["first login", "première connexion", "eerste aanmelding", "erste Anmeldung", "primer inicio de sesión", "primo accesso"],
    TimeZone => ["Time zone", "Fuseau horaire", "Tijdzone", "Zeitzone", "Zona horaria", "Fuso orario"],
    ChangePassword => ["Change password", "Modifier le mot de passe", "Wachtwoord wijzigen", "Passwort ändern", "Cambiar la contraseña", "Cambia password"],
    LogOut => ["Logout", "Déconnexion", "Afmelden", "Abmelden", "Cerrar sesión", "Esci"],
    Language => ["Language", "Langue", "Taal", "Sprache", "Idioma", "Lingua"],
    EnvTest => ["TEST", "TEST", "TEST", "TEST", "PRUEBAS", "TEST"],
    EnvProduction => ["PRODUCTION", "PRODUCTION", "PRODUCTIE", "PRODUKTION", "PRODUCCIÓN", "PRODUZIONE"],
    AutoDst => ["Automatically adjust to daylight saving changes", "Ajuster automatiquement à l'heure d'été", "Automatisch aanpassen aan zomertijd", "Automatisch an die Sommerzeit anpassen", "Ajustar automáticamente al horario de verano", "Adegua automaticamente all'ora legale"],
    Save => ["Save", "Enregistrer", "Opslaan", "Speichern", "Guardar", "Salva"],
    BackToDefault => ["Back to default", "Revenir à la valeur par défaut", "Terug naar standaard", "Auf Standard zurücksetzen", "Volver al valor predeterminado", "Ripristina predefinito"],
    Cancel => ["Cancel", "Annuler", "Annuleren", "Abbrechen", "Cancelar", "Annulla"],
    TimeZoneHint => ["Dates on every page and in downloads are shown in this zone.", "Les dates de toutes les pages et des téléchargements sont affichées dans ce fuseau.", "Datums op alle pagina's en in downloads worden in deze zone getoond.", "Datumsangaben auf allen Seiten und in Downloads werden in dieser Zone angezeigt.", "Las fechas de todas las páginas y descargas se muestran en esta zona.", "Le date di tutte le pagine e dei download sono mostrate in questo fuso."],
    ErrUnknownTimeZone => ["Choose a time zone from the list.", "Choisissez un fuseau horaire dans la liste.", "Kies een tijdzone uit de lijst.", "Wählen Sie eine Zeitzone aus der Liste.", "Elija una zona horaria de la lista.", "Scegli un fuso orario dall'elenco."],
    HomeTitle => ["Home", "Accueil", "Home", "Startseite", "Inicio", "Home"],
    Welcome => ["Welcome, {name}", "Bienvenue, {name}", "Welkom, {name}", "Willkommen, {name}", "Bienvenido/a, {name}", "Benvenuto/a, {name}"],
    SetupStepsTitle => ["Complete your account", "Finalisez votre compte", "Voltooi uw account", "Konto vervollständigen", "Complete su cuenta", "Completa il tuo account"],
    SetupAllDone => ["Your account is fully set up.", "Votre compte est entièrement configuré.", "Uw account is volledig ingesteld.", "Ihr Konto ist vollständig eingerichtet.", "Su cuenta está completamente configurada.", "Il tuo account è completamente configurato."],
    StepCompanyDetails => ["Fill in your company details: legal name and e-mail address.", "Renseignez les coordonnées de votre société : raison sociale et adresse e-mail.", "Vul uw bedrijfsgegevens in: statutaire naam en e-mailadres.", "Geben Sie Ihre Firmendaten ein: rechtlicher Name und E-Mail-Adresse.", "Complete los datos de su empresa: razón social y correo electrónico.", "Inserisci i dati della tua azienda: ragione sociale e indirizzo e-mail."],
    StepRecoveryEmail => ["Add a recovery e-mail address to your user.", "Ajoutez une adresse e-mail de récupération à votre utilisateur.", "Voeg een herstel-e-mailadres toe aan uw gebruiker.", "Hinterlegen Sie eine Wiederherstellungs-E-Mail-Adresse für Ihren Benutzer.", "Añada una dirección de correo de recuperación a su usuario.", "Aggiungi un indirizzo e-mail di recupero al tuo utente."],
    StepChangePassword => ["Replace the initial password with one of your own.", "Remplacez le mot de passe initial par le vôtre.", "Vervang het initiële wachtwoord door uw eigen wachtwoord.", "Ersetzen Sie das Anfangspasswort durch Ihr eigenes.", "Sustituya la contraseña inicial por una propia.", "Sostituisci la password iniziale con una tua."],
    StepMoreUsers => ["Create a user for each person who works in the back office.", "Créez un utilisateur pour chaque personne qui travaille dans le back-office.", "Maak een gebruiker aan voor iedereen die in de backoffice werkt.", "Legen Sie für jede Person, die im Backoffice arbeitet, einen Benutzer an.", "Cree un usuario para cada persona que trabaje en el back office.", "Crea un utente per ogni persona che lavora nel back office."],
    TechMessagesTitle => ["Technical messages", "Messages techniques", "Technische berichten", "Technische Mitteilungen", "Mensajes técnicos", "Messaggi tecnici"],
    NoTechMessages => ["No technical messages at the moment.", "Aucun message technique pour le moment.", "Momenteel geen technische berichten.", "Zurzeit keine technischen Mitteilungen.", "No hay mensajes técnicos por ahora.", "Nessun messaggio tecnico al momento."],
    CurrentPassword => ["Current password", "Mot de passe actuel", "Huidig wachtwoord", "Aktuelles Passwort", "Contraseña actual", "Password attuale"],
    NewPassword => ["New password", "Nouveau mot de passe", "Nieuw wachtwoord", "Neues Passwort", "Nueva contraseña", "Nuova password"],
    ConfirmPassword => ["Confirm the new password", "Confirmez le nouveau mot de passe", "Bevestig het nieuwe wachtwoord", "Neues Passwort bestätigen", "Confirme la nueva contraseña", "Conferma la nuova password"],
    PasswordChanged => ["Your password has been changed.", "Votre mot de passe a été modifié.", "Uw wachtwoord is gewijzigd.", "Ihr Passwort wurde geändert.", "Su contraseña se ha cambiado.", "La password è stata modificata."],
    ErrWrongCurrentPassword => ["The current password is incorrect.", "Le mot de passe actuel est incorrect.", "Het huidige wachtwoord is onjuist.", "Das aktuelle Passwort ist falsch.", "La contraseña actual no es correcta.", "La password attuale non è corretta."],
    ErrPasswordsDiffer => ["The two passwords are not the same.", "Les deux mots de passe ne sont pas identiques.", "De twee wachtwoorden zijn niet gelijk.", "Die beiden Passwörter stimmen nicht überein.", "Las dos contraseñas no coinciden.", "Le due password non coincidono."],
    ErrPolicy => ["The password does not meet every rule of the list.", "Le mot de passe ne respecte pas toutes les règles de la liste.", "Het wachtwoord voldoet niet aan alle regels van de lijst.", "Das Passwort erfüllt nicht alle Regeln der Liste.", "La contraseña no cumple todas las reglas de la lista.", "La password non rispetta tutte le regole dell'elenco."],
    ErrSamePassword => ["Choose a password different from the current one.", "Choisissez un mot de passe différent de l'actuel.", "Kies een ander wachtwoord dan het huidige.", "Wählen Sie ein anderes als das aktuelle Passwort.", "Elija una contraseña distinta de la actual.", "Scegli una password diversa da quella attuale."],
    PasswordRulesTitle => ["The password must have:", "Le mot de passe doit comporter :", "Het wachtwoord moet bevatten:", "Das Passwort muss enthalten:", "La contraseña debe tener:", "La password deve avere:"],
    RuleMinLength => ["at least {n} characters", "au moins {n} caractères", "minstens {n} tekens", "mindestens {n} Zeichen", "al menos {n} caracteres", "almeno {n} caratteri"],
    RuleUppercase => ["an upper-case letter", "une lettre majuscule", "een hoofdletter", "einen Großbuchstaben", "una letra mayúscula", "una lettera maiuscola"],
    RuleLowercase => ["a lower-case letter", "une lettre minuscule", "een kleine letter", "einen Kleinbuchstaben", "una letra minúscula", "una lettera minuscola"],
    RuleDigit => ["a digit", "un chiffre", "een cijfer", "eine Ziffer", "un dígito", "una cifra"],
    RuleSpecial => ["a special character: ! \" # ; : ? \\ * ( ) + = / < > , . [ ] { }", "un caractère spécial : ! \" # ; : ? \\ * ( ) + = / < > , . [ ] { }", "een speciaal teken: ! \" # ; : ? \\ * ( ) + = / < > , . [ ] { }", "ein Sonderzeichen: ! \" # ; : ? \\ * ( ) + = / < > , . [ ] { }", "un carácter especial: ! \" # ; : ? \\ * ( ) + = / < > , . [ ] { }", "un carattere speciale: ! \" # ; : ? \\ * ( ) + = / < > , . [ ] { }"],
    RuleNoStoreName => ["not the store name, in any letter case", "pas le nom de la boutique, quelle que soit la casse", "niet de winkelnaam, in welke schrijfwijze ook", "nicht den Shopnamen, in keiner Schreibweise", "no el nombre de la tienda, en ninguna combinación de mayúsculas", "non il nome del negozio, in nessuna combinazione di maiuscole"],
    RuleNoLogin => ["no user's login, in any letter case", "aucun identifiant d'utilisateur, quelle que soit la casse", "geen gebruikersnaam, in welke schrijfwijze ook", "keinen Benutzernamen, in keiner Schreibweise", "ningún identificador de usuario, en ninguna combinación de mayúsculas", "nessun identificativo utente, in nessuna combinazione di maiuscole"],
    RulePassed => ["met", "respectée", "voldaan", "erfüllt", "cumplida", "rispettata"],
    RuleNotPassed => ["not met", "non respectée", "niet voldaan", "nicht erfüllt", "no cumplida", "non rispettata"],
    ForgotTitle => ["Forgot your password", "Mot de passe oublié", "Wachtwoord vergeten", "Passwort vergessen", "Contraseña olvidada", "Password dimenticata"],
    ForgotIntro => ["Enter your PSPID and, to reset another user than the main one, its UserID. If they match a user with an e-mail address, we send it a link to choose a new password.", "Saisissez votre PSPID et, pour un autre utilisateur que le principal, son UserID. S'ils correspondent à un utilisateur ayant une adresse e-mail, nous lui envoyons un lien pour choisir un nouveau mot de passe.", "Vul uw PSPID in en, voor een andere gebruiker dan de hoofdgebruiker, diens UserID. Als ze overeenkomen met een gebruiker met een e-mailadres, sturen we een link om een nieuw wachtwoord te kiezen.", "Geben Sie Ihre PSPID ein und, für einen anderen als den Hauptbenutzer, dessen UserID. Passen sie zu einem Benutzer mit E-Mail-Adresse, senden wir ihm einen Link zum Festlegen eines neuen Passworts.", "Introduzca su PSPID y, para otro usuario distinto del principal, su UserID. Si corresponden a un usuario con correo electrónico, le enviaremos un enlace para elegir una nueva contraseña.", "Inserisci il tuo PSPID e, per un utente diverso da quello principale, il suo UserID. Se corrispondono a un utente con indirizzo e-mail, gli inviamo un link per scegliere una nuova password."],
    SendResetLink => ["Send the link", "Envoyer le lien", "Link versturen", "Link senden", "Enviar el enlace", "Invia il link"],
    ResetLinkSent => ["If the account exists and has an e-mail address, a link is on its way. It works once, within one hour.", "Si le compte existe et possède une adresse e-mail, un lien vient d'être envoyé. Il ne fonctionne qu'une fois, pendant une heure.", "Als het account bestaat en een e-mailadres heeft, is er een link onderweg. Die werkt één keer, binnen een uur.", "Wenn das Konto existiert und eine E-Mail-Adresse hat, ist ein Link unterwegs. Er funktioniert einmal, innerhalb einer Stunde.", "Si la cuenta existe y tiene correo electrónico, se ha enviado un enlace. Funciona una sola vez, durante una hora.", "Se l'account esiste e ha un indirizzo e-mail, è stato inviato un link. Funziona una sola volta, entro un'ora."],
    BackToLogin => ["Back to login", "Retour à la connexion", "Terug naar inloggen", "Zurück zur Anmeldung", "Volver al inicio de sesión", "Torna all'accesso"],
    ResetTitle => ["Choose a new password", "Choisissez un nouveau mot de passe", "Kies een nieuw wachtwoord", "Neues Passwort wählen", "Elija una nueva contraseña", "Scegli una nuova password"],
    SetNewPassword => ["Set the new password", "Définir le nouveau mot de passe", "Nieuw wachtwoord instellen", "Neues Passwort festlegen", "Establecer la nueva contraseña", "Imposta la nuova password"],
    PasswordResetDone => ["Your password has been changed. You can now log in.", "Votre mot de passe a été modifié. Vous pouvez maintenant vous connecter.", "Uw wachtwoord is gewijzigd. U kunt nu inloggen.", "Ihr Passwort wurde geändert. Sie können sich jetzt anmelden.", "Su contraseña se ha cambiado. Ya puede iniciar sesión.", "La password è stata modificata. Ora puoi accedere."],
    ErrInvalidLink => ["This link is invalid, already used or expired. Ask for a new one.", "Ce lien est invalide, déjà utilisé ou expiré. Demandez-en un nouveau.", "Deze link is ongeldig, al gebruikt of verlopen. Vraag een nieuwe aan.", "Dieser Link ist ungültig, bereits benutzt oder abgelaufen. Fordern Sie einen neuen an.", "Este enlace no es válido, ya se ha usado o ha caducado. Solicite uno nuevo.", "Questo link non è valido, è già stato usato o è scaduto. Richiedine uno nuovo."],
    MailboxTitle => ["Development mailbox", "Boîte aux lettres de développement", "Ontwikkelmailbox", "Entwicklungs-Postfach", "Buzón de desarrollo", "Casella di sviluppo"],
    MailboxIntro => ["E-mails this deployment sent, newest first. This page does not exist in production.", "E-mails envoyés par ce déploiement, du plus récent au plus ancien. Cette page n'existe pas en production.", "E-mails die deze installatie verstuurde, nieuwste eerst. Deze pagina bestaat niet in productie.", "Von dieser Installation gesendete E-Mails, neueste zuerst. Diese Seite gibt es in der Produktion nicht.", "Correos enviados por este despliegue, los más recientes primero. Esta página no existe en producción.", "E-mail inviate da questa installazione, dalla più recente. Questa pagina non esiste in produzione."],
    MailboxEmpty => ["No e-mails yet.", "Aucun e-mail pour l'instant.", "Nog geen e-mails.", "Noch keine E-Mails.", "Todavía no hay correos.", "Ancora nessuna e-mail."],
    MailTo => ["To", "À", "Aan", "An", "Para", "A"],
    MailSubject => ["Subject", "Objet", "Onderwerp", "Betreff", "Asunto", "Oggetto"],
    MailDate => ["Date", "Date", "Datum", "Datum", "Fecha", "Data"],
    ProfileTitle => ["My profile", "Mon profil", "Mijn profiel", "Mein Profil", "Mi perfil", "Il mio profilo"],
    FullName => ["Full name", "Nom complet", "Volledige naam", "Vollständiger Name", "Nombre completo", "Nome completo"],
    RecoveryEmail => ["Recovery e-mail address", "Adresse e-mail de récupération", "Herstel-e-mailadres", "Wiederherstellungs-E-Mail-Adresse", "Correo electrónico de recuperación", "Indirizzo e-mail di recupero"],
    RecoveryEmailHint => ["We send the link to choose a new password here when you forget yours.", "Nous y envoyons le lien pour choisir un nouveau mot de passe si vous oubliez le vôtre.", "Hierheen sturen we de link om een nieuw wachtwoord te kiezen als u het uwe vergeet.", "Hierhin senden wir den Link zum Festlegen eines neuen Passworts, wenn Sie Ihres vergessen.", "Aquí le enviamos el enlace para elegir una nueva contraseña si olvida la suya.", "Qui inviamo il link per scegliere una nuova password se dimentichi la tua."],
    SaveProfile => ["Save the profile", "Enregistrer le profil", "Profiel opslaan", "Profil speichern", "Guardar el perfil", "Salva il profilo"],
    ProfileSaved => ["Your profile has been saved.", "Votre profil a été enregistré.", "Uw profiel is opgeslagen.", "Ihr Profil wurde gespeichert.", "Su perfil se ha guardado.", "Il profilo è stato salvato."],
    ErrInvalidEmail => ["Enter an e-mail address such as name@example.com.", "Saisissez une adresse e-mail comme nom@exemple.com.", "Vul een e-mailadres in zoals naam@voorbeeld.nl.", "Geben Sie eine E-Mail-Adresse wie name@beispiel.de ein.", "Introduzca un correo electrónico como nombre@ejemplo.com.", "Inserisci un indirizzo e-mail come nome@esempio.it."],
    ErrTooLong => ["This text is too long.", "Ce texte est trop long.", "Deze tekst is te lang.", "Dieser Text ist zu lang.", "Este texto es demasiado largo.", "Questo testo è troppo lungo."],
    DoThisNow => ["Do it now", "Le faire maintenant", "Nu doen", "Jetzt erledigen", "Hacerlo ahora", "Fallo ora"],
    ResetMailSubject => ["Reset your OpenPSP password", "Réinitialisez votre mot de passe OpenPSP", "Stel uw OpenPSP-wachtwoord opnieuw in", "Setzen Sie Ihr OpenPSP-Passwort zurück", "Restablezca su contraseña de OpenPSP", "Reimposta la tua password OpenPSP"],
    ResetMailBody => [
        "Hello {name},\n\nSomeone asked to reset the password of user {login} of PSPID {pspid} ({env}).\nTo choose a new password, open this link within {minutes} minutes. It works once:\n\n{link}\n\nIf you did not ask for this, ignore this e-mail: your password stays as it is.\n\n— OpenPSP\n",
        "Bonjour {name},\n\nQuelqu'un a demandé la réinitialisation du mot de passe de l'utilisateur {login} du PSPID {pspid} ({env}).\nPour choisir un nouveau mot de passe, ouvrez ce lien dans les {minutes} minutes. Il ne fonctionne qu'une fois :\n\n{link}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : votre mot de passe reste inchangé.\n\n— OpenPSP\n",
        "Hallo {name},\n\nIemand heeft gevraagd het wachtwoord van gebruiker {login} van PSPID {pspid} ({env}) opnieuw in te stellen.\nOpen deze link binnen {minutes} minuten om een nieuw wachtwoord te kiezen. Hij werkt één keer:\n\n{link}\n\nHeeft u dit niet gevraagd, negeer dan deze e-mail: uw wachtwoord blijft ongewijzigd.\n\n— OpenPSP\n",
        "Hallo {name},\n\njemand hat angefordert, das Passwort des Benutzers {login} der PSPID {pspid} ({env}) zurückzusetzen.\nÖffnen Sie diesen Link innerhalb von {minutes} Minuten, um ein neues Passwort zu wählen. Er funktioniert einmal:\n\n{link}\n\nWenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.\n\n— OpenPSP\n",
        "Hola {name}:\n\nAlguien ha pedido restablecer la contraseña del usuario {login} del PSPID {pspid} ({env}).\nPara elegir una nueva contraseña, abra este enlace en los próximos {minutes} minutos. Solo funciona una vez:\n\n{link}\n\nSi no lo ha pedido usted, ignore este correo: su contraseña no cambia.\n\n— OpenPSP\n",
        "Ciao {name},\n\nqualcuno ha chiesto di reimpostare la password dell'utente {login} del PSPID {pspid} ({env}).\nPer scegliere una nuova password, apri questo link entro {minutes} minuti. Funziona una sola volta:\n\n{link}\n\nSe non l'hai chiesto tu, ignora questa e-mail: la tua password resta invariata.\n\n— OpenPSP\n",
    ],
    TestCardsTitle => ["Test cards", "Cartes de test", "Testkaarten", "Testkarten", "Tarjetas de prueba", "Carte di test"],
    TestCardsIntro => ["In the TEST environment these card numbers give these results, with any future expiry date and any security code of the right length. Any other valid number is approved below 1000.00 of the currency and declined (refusal 61) from 1000.00.", "Dans l'environnement de TEST, ces numéros de carte donnent ces résultats, avec n'importe quelle date d'expiration future et n'importe quel code de sécurité de la bonne longueur. Tout autre numéro valide est accepté en dessous de 1000,00 dans la devise et refusé (refus 61) à partir de 1000,00.", "In de TEST-omgeving geven deze kaartnummers deze resultaten, met elke toekomstige vervaldatum en elke beveiligingscode van de juiste lengte. Elk ander geldig nummer wordt goedgekeurd onder 1000,00 van de valuta en geweigerd (weigering 61) vanaf 1000,00.", "In der TEST-Umgebung liefern diese Kartennummern diese Ergebnisse, mit jedem künftigen Ablaufdatum und jedem Sicherheitscode der richtigen Länge. Jede andere gültige Nummer wird unter 1000,00 der Währung genehmigt und ab 1000,00 abgelehnt (Ablehnung 61).", "En el entorno de PRUEBAS, estos números de tarjeta dan estos resultados, con cualquier fecha de caducidad futura y cualquier código de seguridad de la longitud correcta. Cualquier otro número válido se aprueba por debajo de 1000,00 de la divisa y se rechaza (rechazo 61) a partir de 1000,00.", "Nell'ambiente di TEST questi numeri di carta danno questi risultati, con qualsiasi data di scadenza futura e qualsiasi codice di sicurezza della lunghezza giusta. Qualsiasi altro numero valido è approvato sotto 1000,00 della valuta e rifiutato (rifiuto 61) da 1000,00."],
    CardNumberLabel => ["Card number", "Numéro de carte", "Kaartnummer", "Kartennummer", "Número de tarjeta", "Numero di carta"],
    BrandLabel => ["Brand", "Marque", "Merk", "Marke", "Marca", "Circuito"],
    OutcomeLabel => ["Result", "Résultat", "Resultaat", "Ergebnis", "Resultado", "Risultato"],
    ThreeDsCodeLabel => ["3-D Secure code", "Code 3-D Secure", "3-D Secure-code", "3-D-Secure-Code", "Código 3-D Secure", "Codice 3-D Secure"],
    OutcomeApproved => ["Approved without challenge (ECI {eci})", "Acceptée sans authentification (ECI {eci})", "Goedgekeurd zonder verificatie (ECI {eci})", "Genehmigt ohne Authentifizierung (ECI {eci})", "Aprobada sin autenticación (ECI {eci})", "Approvata senza autenticazione (ECI {eci})"],
    OutcomeChallenge => ["3-D Secure challenge, then approved", "Authentification 3-D Secure, puis acceptée", "3-D Secure-verificatie, daarna goedgekeurd", "3-D-Secure-Authentifizierung, dann genehmigt", "Autenticación 3-D Secure y después aprobada", "Autenticazione 3-D Secure, poi approvata"],
    OutcomeDeclined => ["Declined, refusal {code}: {reason}", "Refusée, refus {code} : {reason}", "Geweigerd, weigering {code}: {reason}", "Abgelehnt, Ablehnung {code}: {reason}", "Rechazada, rechazo {code}: {reason}", "Rifiutata, rifiuto {code}: {reason}"],
    OutcomeTimeout => ["The acquirer does not answer: status uncertain (92), resolved later", "L'acquéreur ne répond pas : statut incertain (92), résolu plus tard", "De acquirer antwoordt niet: status onzeker (92), later opgelost", "Der Acquirer antwortet nicht: Status ungewiss (92), später geklärt", "El adquirente no responde: estado incierto (92), resuelto más tarde", "L'acquirer non risponde: stato incerto (92), risolto in seguito"],
    Refusal05 => ["do not honour", "ne pas honorer", "niet honoreren", "nicht honorieren", "no aceptar", "non onorare"],
    Refusal51 => ["insufficient funds", "provision insuffisante", "onvoldoende saldo", "unzureichende Deckung", "fondos insuficientes", "fondi insufficienti"],
    Refusal54 => ["expired card", "carte expirée", "verlopen kaart", "abgelaufene Karte", "tarjeta caducada", "carta scaduta"],
    RefusalN7 => ["security code mismatch", "code de sécurité erroné", "beveiligingscode onjuist", "Sicherheitscode falsch", "código de seguridad incorrecto", "codice di sicurezza errato"],
    TryACard => ["Check a card number", "Vérifier un numéro de carte", "Een kaartnummer controleren", "Eine Kartennummer prüfen", "Comprobar un número de tarjeta", "Verifica un numero di carta"],
    CardLooksValid => ["Valid {brand} number, shown as {masked}", "Numéro {brand} valide, affiché {masked}", "Geldig {brand}-nummer, getoond als {masked}", "Gültige {brand}-Nummer, angezeigt als {masked}", "Número {brand} válido, mostrado como {masked}", "Numero {brand} valido, mostrato come {masked}"],
    ErrCardDigits => ["A card number has digits only.", "Un numéro de carte ne contient que des chiffres.", "Een kaartnummer bevat alleen cijfers.", "Eine Kartennummer enthält nur Ziffern.", "Un número de tarjeta solo tiene dígitos.", "Un numero di carta contiene solo cifre."],
    ErrCardBrand => ["No card brand starts like this.", "Aucune marque de carte ne commence ainsi.", "Geen kaartmerk begint zo.", "Keine Kartenmarke beginnt so.", "Ninguna marca de tarjeta empieza así.", "Nessun circuito inizia così."],
    ErrCardLength => ["Wrong number of digits for this brand.", "Nombre de chiffres incorrect pour cette marque.", "Verkeerd aantal cijfers voor dit merk.", "Falsche Anzahl Ziffern für diese Marke.", "Número de dígitos incorrecto para esta marca.", "Numero di cifre errato per questo circuito."],
    ErrCardLuhn => ["This number has a typing mistake.", "Ce numéro contient une faute de frappe.", "Dit nummer bevat een typfout.", "Diese Nummer enthält einen Tippfehler.", "Este número tiene un error de escritura.", "Questo numero contiene un errore di battitura."],
    ErrExpiryFormat => ["Enter the expiry date as MM/YY.", "Saisissez la date d'expiration au format MM/AA.", "Vul de vervaldatum in als MM/JJ.", "Geben Sie das Ablaufdatum als MM/JJ ein.", "Introduzca la fecha de caducidad como MM/AA.", "Inserisci la data di scadenza come MM/AA."],
    ErrExpired => ["This card has expired.", "Cette carte a expiré.", "Deze kaart is verlopen.", "Diese Karte ist abgelaufen.", "Esta tarjeta ha caducado.", "Questa carta è scaduta."],
    ErrCvc => ["The security code has the wrong number of digits for this card.", "Le code de sécurité n'a pas le bon nombre de chiffres pour cette carte.", "De beveiligingscode heeft het verkeerde aantal cijfers voor deze kaart.", "Der Sicherheitscode hat die falsche Anzahl Ziffern für diese Karte.", "El código de seguridad no tiene el número de dígitos correcto para esta tarjeta.", "Il codice di sicurezza non ha il numero di cifre giusto per questa carta."],
    ErrCheckoutClosed => ["This payment can no longer be changed.", "Ce paiement ne peut plus être modifié.", "Deze betaling kan niet meer worden gewijzigd.", "Diese Zahlung kann nicht mehr geändert werden.", "Este pago ya no se puede modificar.", "Questo pagamento non può più essere modificato."],
    Refusal61 => ["amount limit exceeded", "plafond dépassé", "bedraglimiet overschreden", "Betragslimit überschritten", "límite de importe superado", "limite di importo superato"],
    Refusal3D => ["3-D Secure verification failed", "échec de la vérification 3-D Secure", "3-D Secure-verificatie mislukt", "3-D-Secure-Prüfung fehlgeschlagen", "la verificación 3-D Secure ha fallado", "verifica 3-D Secure non riuscita"],
    RefusalOther => ["refused by the bank", "refusé par la banque", "geweigerd door de bank", "von der Bank abgelehnt", "rechazado por el banco", "rifiutato dalla banca"],
    PayTitle => ["Secure payment", "Paiement sécurisé", "Veilig betalen", "Sichere Zahlung", "Pago seguro", "Pagamento sicuro"],
    AmountToPay => ["Amount to pay", "Montant à payer", "Te betalen bedrag", "Zu zahlender Betrag", "Importe a pagar", "Importo da pagare"],
    CartTitle => ["Your order", "Votre commande", "Uw bestelling", "Ihre Bestellung", "Su pedido", "Il tuo ordine"],
    ItemLabel => ["Item", "Article", "Artikel", "Artikel", "Artículo", "Articolo"],
    QuantityLabel => ["Qty", "Qté", "Aantal", "Menge", "Cant.", "Qtà"],
    PriceLabel => ["Price", "Prix", "Prijs", "Preis", "Precio", "Prezzo"],
    AmountLabel => ["Amount", "Montant", "Bedrag", "Betrag", "Importe", "Importo"],
    AcceptedCards => ["Accepted cards", "Cartes acceptées", "Geaccepteerde kaarten", "Akzeptierte Karten", "Tarjetas aceptadas", "Carte accettate"],
    SessionEndsIn => ["This session ends in {time}.", "Cette session se termine dans {time}.", "Deze sessie eindigt over {time}.", "Diese Sitzung endet in {time}.", "Esta sesión termina en {time}.", "Questa sessione termina tra {time}."],
    SessionExpired => ["This payment session has expired. Return to the merchant to start again.", "Cette session de paiement a expiré. Retournez chez le marchand pour recommencer.", "Deze betaalsessie is verlopen. Ga terug naar de verkoper om opnieuw te beginnen.", "Diese Zahlungssitzung ist abgelaufen. Kehren Sie zum Händler zurück, um neu zu beginnen.", "Esta sesión de pago ha caducado. Vuelva al comercio para empezar de nuevo.", "Questa sessione di pagamento è scaduta. Torna dal venditore per ricominciare."],
    ExpiryLabel => ["Expiry date (MM/YY)", "Date d'expiration (MM/AA)", "Vervaldatum (MM/JJ)", "Ablaufdatum (MM/JJ)", "Fecha de caducidad (MM/AA)", "Data di scadenza (MM/AA)"],
    CvcLabel => ["Security code (CVC)", "Code de sécurité (CVC)", "Beveiligingscode (CVC)", "Sicherheitscode (CVC)", "Código de seguridad (CVC)", "Codice di sicurezza (CVC)"],
    CardHolderLabel => ["Card holder", "Titulaire de la carte", "Kaarthouder", "Karteninhaber", "Titular de la tarjeta", "Titolare della carta"],
    SaveMyCard => ["Save my card for next time", "Enregistrer ma carte pour la prochaine fois", "Mijn kaart bewaren voor de volgende keer", "Meine Karte für das nächste Mal speichern", "Guardar mi tarjeta para la próxima vez", "Salva la mia carta per la prossima volta"],
    SavedCardsTitle => ["Pay with a saved card", "Payer avec une carte enregistrée", "Betalen met een bewaarde kaart", "Mit einer gespeicherten Karte zahlen", "Pagar con una tarjeta guardada", "Paga con una carta salvata"],
    UseNewCard => ["Use another card", "Utiliser une autre carte", "Een andere kaart gebruiken", "Eine andere Karte verwenden", "Usar otra tarjeta", "Usa un'altra carta"],
    PayButton => ["Pay {amount}", "Payer {amount}", "{amount} betalen", "{amount} zahlen", "Pagar {amount}", "Paga {amount}"],
    Processing => ["Processing…", "Traitement…", "Bezig…", "Wird verarbeitet…", "Procesando…", "Elaborazione…"],
    DeclinedMessage => ["Your payment was declined: {reason}.", "Votre paiement a été refusé : {reason}.", "Uw betaling is geweigerd: {reason}.", "Ihre Zahlung wurde abgelehnt: {reason}.", "Su pago ha sido rechazado: {reason}.", "Il tuo pagamento è stato rifiutato: {reason}."],
    AttemptsLeft => ["You can try again with another card ({n} attempts left).", "Vous pouvez réessayer avec une autre carte ({n} tentatives restantes).", "U kunt het opnieuw proberen met een andere kaart (nog {n} pogingen).", "Sie können es mit einer anderen Karte erneut versuchen (noch {n} Versuche).", "Puede volver a intentarlo con otra tarjeta (quedan {n} intentos).", "Puoi riprovare con un'altra carta ({n} tentativi rimasti)."],
    RefusedTitle => ["Payment refused", "Paiement refusé", "Betaling geweigerd", "Zahlung abgelehnt", "Pago rechazado", "Pagamento rifiutato"],
    ChallengeTitle => ["3-D Secure verification", "Vérification 3-D Secure", "3-D Secure-verificatie", "3-D-Secure-Prüfung", "Verificación 3-D Secure", "Verifica 3-D Secure"],
    ChallengeIntro => ["Your bank asks you to confirm this payment of {amount} to {name}. Enter the code you received.", "Votre banque vous demande de confirmer ce paiement de {amount} à {name}. Saisissez le code reçu.", "Uw bank vraagt u deze betaling van {amount} aan {name} te bevestigen. Vul de ontvangen code in.", "Ihre Bank bittet Sie, diese Zahlung von {amount} an {name} zu bestätigen. Geben Sie den erhaltenen Code ein.", "Su banco le pide confirmar este pago de {amount} a {name}. Introduzca el código recibido.", "La tua banca ti chiede di confermare questo pagamento di {amount} a {name}. Inserisci il codice ricevuto."],
    ChallengeCode => ["Verification code", "Code de vérification", "Verificatiecode", "Bestätigungscode", "Código de verificación", "Codice di verifica"],
    ChallengeSubmit => ["Confirm", "Confirmer", "Bevestigen", "Bestätigen", "Confirmar", "Conferma"],
    ChallengeHint => ["TEST environment: the code of each card is on the test cards page.", "Environnement de TEST : le code de chaque carte figure sur la page des cartes de test.", "TEST-omgeving: de code van elke kaart staat op de pagina met testkaarten.", "TEST-Umgebung: Der Code jeder Karte steht auf der Seite der Testkarten.", "Entorno de PRUEBAS: el código de cada tarjeta está en la página de tarjetas de prueba.", "Ambiente di TEST: il codice di ogni carta è nella pagina delle carte di test."],
    PaidTitle => ["Payment successful", "Paiement réussi", "Betaling geslaagd", "Zahlung erfolgreich", "Pago realizado", "Pagamento riuscito"],
    PendingMessage => ["Your bank has not answered yet. The merchant will let you know the result.", "Votre banque n'a pas encore répondu. Le marchand vous communiquera le résultat.", "Uw bank heeft nog niet geantwoord. De verkoper laat u het resultaat weten.", "Ihre Bank hat noch nicht geantwortet. Der Händler teilt Ihnen das Ergebnis mit.", "Su banco aún no ha respondido. El comercio le comunicará el resultado.", "La tua banca non ha ancora risposto. Il venditore ti comunicherà l'esito."],
    MerchantLabel => ["Merchant", "Marchand", "Verkoper", "Händler", "Comercio", "Venditore"],
    WebSiteLabel => ["Web site", "Site web", "Website", "Website", "Sitio web", "Sito web"],
    PaymentIdLabel => ["Payment id", "Identifiant du paiement", "Betalings-ID", "Zahlungs-ID", "Id. del pago", "ID pagamento"],
    AuthorisationCodeLabel => ["Authorisation code", "Code d'autorisation", "Autorisatiecode", "Autorisierungscode", "Código de autorización", "Codice di autorizzazione"],
    TerminalIdLabel => ["Terminal id", "Identifiant du terminal", "Terminal-ID", "Terminal-ID", "Id. del terminal", "ID terminale"],
    RrnLabel => ["Reference (RRN)", "Référence (RRN)", "Referentie (RRN)", "Referenz (RRN)", "Referencia (RRN)", "Riferimento (RRN)"],
    CardLabel => ["Card", "Carte", "Kaart", "Karte", "Tarjeta", "Carta"],
    DescriptionLabel => ["Description", "Description", "Omschrijving", "Beschreibung", "Descripción", "Descrizione"],
    ReturnToMerchant => ["Return to merchant", "Retour au marchand", "Terug naar de verkoper", "Zurück zum Händler", "Volver al comercio", "Torna al venditore"],
    Redirecting => ["Taking you back to the merchant…", "Retour vers le marchand…", "U gaat terug naar de verkoper…", "Sie werden zum Händler zurückgeleitet…", "Volviendo al comercio…", "Ritorno al venditore…"],
    TokenizeTitle => ["Save a card", "Enregistrer une carte", "Een kaart bewaren", "Eine Karte speichern", "Guardar una tarjeta", "Salva una carta"],
    TokenizeSave => ["Save card", "Enregistrer la carte", "Kaart bewaren", "Karte speichern", "Guardar tarjeta", "Salva carta"],
    TokenizeSaved => ["Card {masked} saved. You can close this page.", "Carte {masked} enregistrée. Vous pouvez fermer cette page.", "Kaart {masked} bewaard. U kunt deze pagina sluiten.", "Karte {masked} gespeichert. Sie können diese Seite schließen.", "Tarjeta {masked} guardada. Puede cerrar esta página.", "Carta {masked} salvata. Puoi chiudere questa pagina."],
    ErrInvalidUrl => ["Enter a full address starting with https:// (or http://).", "Saisissez une adresse complète commençant par https:// (ou http://).", "Vul een volledig adres in dat begint met https:// (of http://).", "Geben Sie eine vollständige Adresse ein, die mit https:// (oder http://) beginnt.", "Introduzca una dirección completa que empiece por https:// (o http://).", "Inserisci un indirizzo completo che inizi con https:// (o http://)."],
    ErrOutOfRange => ["This value is outside the allowed range.", "Cette valeur est hors de la plage autorisée.", "Deze waarde valt buiten het toegestane bereik.", "Dieser Wert liegt außerhalb des zulässigen Bereichs.", "Este valor está fuera del intervalo permitido.", "Questo valore è fuori dall'intervallo consentito."],
    MenuConfiguration => ["Configuration", "Configuration", "Configuratie", "Konfiguration", "Configuración", "Configurazione"],
    ApiKeysTitle => ["API keys", "Clés d'API", "API-sleutels", "API-Schlüssel", "Claves de API", "Chiavi API"],
    ApiKeysIntro => ["A key signs your server's calls to the OpenPSP API (v1HMAC), as with the Ingenico Direct SDKs. Its secret is shown for 5 minutes after it is generated, then never again.", "Une clé signe les appels de votre serveur à l'API OpenPSP (v1HMAC), comme avec les SDK Ingenico Direct. Son secret est affiché pendant 5 minutes après sa génération, puis plus jamais.", "Een sleutel ondertekent de aanroepen van uw server naar de OpenPSP-API (v1HMAC), zoals met de Ingenico Direct-SDK's. Het geheim wordt na het aanmaken 5 minuten getoond en daarna nooit meer.", "Ein Schlüssel signiert die Aufrufe Ihres Servers an die OpenPSP-API (v1HMAC), wie mit den Ingenico-Direct-SDKs. Sein Geheimnis wird nach der Erzeugung 5 Minuten lang angezeigt, danach nie wieder.", "Una clave firma las llamadas de su servidor a la API de OpenPSP (v1HMAC), como con los SDK de Ingenico Direct. Su secreto se muestra durante 5 minutos tras generarla y después nunca más.", "Una chiave firma le chiamate del tuo server all'API OpenPSP (v1HMAC), come con gli SDK Ingenico Direct. Il segreto è mostrato per 5 minuti dopo la generazione, poi mai più."],
    KeyName => ["Key name", "Nom de la clé", "Naam van de sleutel", "Name des Schlüssels", "Nombre de la clave", "Nome della chiave"],
    GenerateKey => ["Generate key", "Générer une clé", "Sleutel aanmaken", "Schlüssel erzeugen", "Generar clave", "Genera chiave"],
    ApiKeyId => ["API key id", "Identifiant de clé", "Sleutel-ID", "Schlüssel-ID", "Id. de la clave", "ID chiave"],
    SecretLabel => ["Secret", "Secret", "Geheim", "Geheimnis", "Secreto", "Segreto"],
    CreatedLabel => ["Created", "Créée", "Aangemaakt", "Erstellt", "Creada", "Creata"],
    LastUsedLabel => ["Last used", "Dernière utilisation", "Laatst gebruikt", "Zuletzt verwendet", "Último uso", "Ultimo utilizzo"],
    Never => ["never", "jamais", "nooit", "nie", "nunca", "mai"],
    SecretVisibleFor => ["Copy it now: visible for {time} more.", "Copiez-le maintenant : visible encore {time}.", "Kopieer het nu: nog {time} zichtbaar.", "Jetzt kopieren: noch {time} sichtbar.", "Cópielo ahora: visible durante {time} más.", "Copialo ora: visibile ancora per {time}."],
    KeyCreated => ["Key {name} generated.", "Clé {name} générée.", "Sleutel {name} aangemaakt.", "Schlüssel {name} erzeugt.", "Clave {name} generada.", "Chiave {name} generata."],
    Delete => ["Delete", "Supprimer", "Verwijderen", "Löschen", "Eliminar", "Elimina"],
    DeleteKeyTitle => ["Delete the key {name}?", "Supprimer la clé {name} ?", "Sleutel {name} verwijderen?", "Schlüssel {name} löschen?", "¿Eliminar la clave {name}?", "Eliminare la chiave {name}?"],
    DeleteKeyConsequence => ["Integrations that use it stop working at once. Enter your password to confirm.", "Les intégrations qui l'utilisent cessent aussitôt de fonctionner. Saisissez votre mot de passe pour confirmer.", "Integraties die hem gebruiken, werken meteen niet meer. Vul uw wachtwoord in om te bevestigen.", "Integrationen, die ihn verwenden, funktionieren sofort nicht mehr. Geben Sie zur Bestätigung Ihr Passwort ein.", "Las integraciones que la usan dejan de funcionar de inmediato. Introduzca su contraseña para confirmar.", "Le integrazioni che la usano smettono subito di funzionare. Inserisci la tua password per confermare."],
    KeyDeleted => ["Key deleted.", "Clé supprimée.", "Sleutel verwijderd.", "Schlüssel gelöscht.", "Clave eliminada.", "Chiave eliminata."],
    NoKeys => ["No API key yet.", "Aucune clé d'API pour l'instant.", "Nog geen API-sleutel.", "Noch kein API-Schlüssel.", "Todavía no hay ninguna clave de API.", "Ancora nessuna chiave API."],
    WebhooksTitle => ["Webhooks", "Webhooks", "Webhooks", "Webhooks", "Webhooks", "Webhook"],
    WebhooksIntro => ["Events are POSTed to your endpoints, signed with X-GCS-Signature and X-GCS-KeyId, and retried for 3 days until your server answers 2xx.", "Les événements sont envoyés par POST à vos adresses, signés avec X-GCS-Signature et X-GCS-KeyId, et renvoyés pendant 3 jours jusqu'à une réponse 2xx.", "Gebeurtenissen worden met POST naar uw adressen gestuurd, ondertekend met X-GCS-Signature en X-GCS-KeyId, en 3 dagen opnieuw verstuurd tot uw server 2xx antwoordt.", "Ereignisse werden per POST an Ihre Adressen gesendet, mit X-GCS-Signature und X-GCS-KeyId signiert und 3 Tage lang wiederholt, bis Ihr Server mit 2xx antwortet.", "Los eventos se envían por POST a sus direcciones, firmados con X-GCS-Signature y X-GCS-KeyId, y se reintentan durante 3 días hasta que su servidor responda 2xx.", "Gli eventi sono inviati con POST ai tuoi indirizzi, firmati con X-GCS-Signature e X-GCS-KeyId, e ritentati per 3 giorni finché il tuo server risponde 2xx."],
    WebhooksEnabled => ["Send webhooks", "Envoyer les webhooks", "Webhooks versturen", "Webhooks senden", "Enviar webhooks", "Invia webhook"],
    EventsLabel => ["Events to send (none ticked: all)", "Événements à envoyer (aucun coché : tous)", "Te versturen gebeurtenissen (geen aangevinkt: alle)", "Zu sendende Ereignisse (keines angehakt: alle)", "Eventos que enviar (ninguno marcado: todos)", "Eventi da inviare (nessuno selezionato: tutti)"],
    Saved => ["Saved.", "Enregistré.", "Opgeslagen.", "Gespeichert.", "Guardado.", "Salvato."],
    SigningKey => ["Signing key", "Clé de signature", "Ondertekeningssleutel", "Signaturschlüssel", "Clave de firma", "Chiave di firma"],
    NoSigningKey => ["No signing key yet: it is made when webhooks are turned on.", "Pas encore de clé de signature : elle est créée à l'activation des webhooks.", "Nog geen ondertekeningssleutel: die wordt gemaakt wanneer webhooks worden ingeschakeld.", "Noch kein Signaturschlüssel: Er wird beim Einschalten der Webhooks erzeugt.", "Aún no hay clave de firma: se crea al activar los webhooks.", "Ancora nessuna chiave di firma: viene creata quando si attivano i webhook."],
    RotateKey => ["Rotate signing key", "Renouveler la clé de signature", "Ondertekeningssleutel vernieuwen", "Signaturschlüssel erneuern", "Renovar la clave de firma", "Rinnova la chiave di firma"],
    NewSecretOnce => ["New signing secret (shown once): {secret}", "Nouveau secret de signature (affiché une fois) : {secret}", "Nieuw ondertekeningsgeheim (eenmaal getoond): {secret}", "Neues Signaturgeheimnis (einmal angezeigt): {secret}", "Nuevo secreto de firma (se muestra una vez): {secret}", "Nuovo segreto di firma (mostrato una volta): {secret}"],
    EndpointsTitle => ["Endpoints", "Adresses de réception", "Eindpunten", "Endpunkte", "Direcciones de destino", "Endpoint"],
    EndpointUrl => ["Endpoint URL", "URL de réception", "URL van het eindpunt", "Endpunkt-URL", "URL de destino", "URL dell'endpoint"],
    AddEndpoint => ["Add endpoint", "Ajouter l'adresse", "Eindpunt toevoegen", "Endpunkt hinzufügen", "Añadir dirección", "Aggiungi endpoint"],
    Remove => ["Remove", "Retirer", "Verwijderen", "Entfernen", "Quitar", "Rimuovi"],
    NoEndpoints => ["No endpoint yet.", "Aucune adresse pour l'instant.", "Nog geen eindpunt.", "Noch kein Endpunkt.", "Todavía no hay direcciones.", "Ancora nessun endpoint."],
    DeliveriesTitle => ["Deliveries", "Envois", "Leveringen", "Zustellungen", "Envíos", "Consegne"],
    EventLabel => ["Event", "Événement", "Gebeurtenis", "Ereignis", "Evento", "Evento"],
    StatusLabel => ["Status", "Statut", "Status", "Status", "Estado", "Stato"],
    AttemptsLabel => ["Attempts", "Tentatives", "Pogingen", "Versuche", "Intentos", "Tentativi"],
    ResponseLabel => ["Response", "Réponse", "Antwoord", "Antwort", "Respuesta", "Risposta"],
    Resend => ["Re-send", "Renvoyer", "Opnieuw versturen", "Erneut senden", "Reenviar", "Invia di nuovo"],
    ResendQueued => ["Queued for sending again.", "Renvoi programmé.", "Opnieuw in de wachtrij gezet.", "Zum erneuten Senden eingereiht.", "En cola para reenviar.", "In coda per il nuovo invio."],
    NoDeliveries => ["No delivery yet.", "Aucun envoi pour l'instant.", "Nog geen leveringen.", "Noch keine Zustellungen.", "Todavía no hay envíos.", "Ancora nessuna consegna."],
    PaymentSettingsTitle => ["Payment settings", "Paramètres de paiement", "Betalingsinstellingen", "Zahlungseinstellungen", "Ajustes de pago", "Impostazioni di pagamento"],
    RetryCountLabel => ["Payment attempts on the payment page", "Tentatives de paiement sur la page de paiement", "Betaalpogingen op de betaalpagina", "Zahlungsversuche auf der Zahlungsseite", "Intentos de pago en la página de pago", "Tentativi di pagamento sulla pagina di pagamento"],
    CaptureProcedureLabel => ["Default capture procedure", "Procédure de capture par défaut", "Standaard capture-procedure", "Standard-Buchungsverfahren", "Procedimiento de captura predeterminado", "Procedura di incasso predefinita"],
    CaptureImmediate => ["Immediate sale", "Vente immédiate", "Directe verkoop", "Sofortiger Verkauf", "Venta inmediata", "Vendita immediata"],
    CaptureDelayed => ["Authorisation, then capture after the delay", "Autorisation, puis capture après le délai", "Autorisatie, daarna capture na de wachttijd", "Autorisierung, dann Buchung nach der Frist", "Autorización y captura tras el plazo", "Autorizzazione, poi incasso dopo il ritardo"],
    CaptureManual => ["Authorisation, manual capture", "Autorisation, capture manuelle", "Autorisatie, handmatige capture", "Autorisierung, manuelle Buchung", "Autorización, captura manual", "Autorizzazione, incasso manuale"],
    CaptureDelayLabel => ["Capture delay (hours)", "Délai de capture (heures)", "Wachttijd voor capture (uren)", "Buchungsfrist (Stunden)", "Plazo de captura (horas)", "Ritardo d'incasso (ore)"],
    ShowFinalPageLabel => ["Show the final page after payment", "Afficher la page finale après le paiement", "De eindpagina tonen na betaling", "Die Abschlussseite nach der Zahlung anzeigen", "Mostrar la página final tras el pago", "Mostra la pagina finale dopo il pagamento"],
    SessionMinutesLabel => ["Payment page session (minutes)", "Durée de la session de paiement (minutes)", "Duur van de betaalsessie (minuten)", "Dauer der Zahlungssitzung (Minuten)", "Duración de la sesión de pago (minutos)", "Durata della sessione di pagamento (minuti)"],
    OverCaptureLabel => ["Over-capture allowance (%)", "Dépassement de capture autorisé (%)", "Toegestane overcapture (%)", "Zulässige Überbuchung (%)", "Sobrecaptura permitida (%)", "Incasso eccedente consentito (%)"],
    JobsTitle => ["Jobs", "Tâches", "Taken", "Aufträge", "Tareas", "Attività"],
    JobsIntro => ["Work the server does in the background for your account: webhook deliveries, delayed captures, expiry of unpaid sessions, resolution of uncertain payments.", "Travail que le serveur fait en arrière-plan pour votre compte : envois de webhooks, captures différées, expiration des sessions impayées, résolution des paiements incertains.", "Werk dat de server op de achtergrond voor uw account doet: webhookleveringen, uitgestelde captures, verlopen van onbetaalde sessies, oplossen van onzekere betalingen.", "Arbeit, die der Server im Hintergrund für Ihr Konto erledigt: Webhook-Zustellungen, verzögerte Buchungen, Ablauf unbezahlter Sitzungen, Klärung ungewisser Zahlungen.", "Trabajo que el servidor hace en segundo plano para su cuenta: envíos de webhooks, capturas diferidas, caducidad de sesiones no pagadas, resolución de pagos inciertos.", "Lavoro che il server svolge in background per il tuo account: consegne di webhook, incassi differiti, scadenza delle sessioni non pagate, risoluzione dei pagamenti incerti."],
    AllStates => ["All", "Toutes", "Alle", "Alle", "Todas", "Tutte"],
    KindLabel => ["Kind", "Type", "Soort", "Art", "Tipo", "Tipo"],
    RunAtLabel => ["Run at", "Exécution", "Uitvoering", "Ausführung", "Ejecución", "Esecuzione"],
    LastErrorLabel => ["Last error", "Dernière erreur", "Laatste fout", "Letzter Fehler", "Último error", "Ultimo errore"],
    NoJobs => ["No job.", "Aucune tâche.", "Geen taken.", "Keine Aufträge.", "No hay tareas.", "Nessuna attività."],
    ErrInvalidAmount => ["Enter an amount like 12.34 in the payment's currency.", "Saisissez un montant comme 12.34 dans la devise du paiement.", "Vul een bedrag in zoals 12.34 in de valuta van de betaling.", "Geben Sie einen Betrag wie 12.34 in der Währung der Zahlung ein.", "Introduzca un importe como 12.34 en la divisa del pago.", "Inserisci un importo come 12.34 nella valuta del pagamento."],
    ErrExceedsLimit => ["This is more than the operation allows.", "C'est plus que l'opération ne le permet.", "Dit is meer dan de bewerking toestaat.", "Das ist mehr, als der Vorgang erlaubt.", "Es más de lo que permite la operación.", "È più di quanto l'operazione consenta."],
    ErrInvalidDate => ["Enter a date as YYYY-MM-DD.", "Saisissez une date au format AAAA-MM-JJ.", "Vul een datum in als JJJJ-MM-DD.", "Geben Sie ein Datum als JJJJ-MM-TT ein.", "Introduzca una fecha como AAAA-MM-DD.", "Inserisci una data come AAAA-MM-GG."],
    ErrNotAllowedNow => ["This operation is not possible in the payment's current status.", "Cette opération n'est pas possible dans le statut actuel du paiement.", "Deze bewerking is niet mogelijk in de huidige status van de betaling.", "Dieser Vorgang ist im aktuellen Status der Zahlung nicht möglich.", "Esta operación no es posible en el estado actual del pago.", "Questa operazione non è possibile nello stato attuale del pagamento."],
    MenuOperations => ["Operations", "Opérations", "Verrichtingen", "Vorgänge", "Operaciones", "Operazioni"],
    PaymentsTitle => ["Payments", "Paiements", "Betalingen", "Zahlungen", "Pagos", "Pagamenti"],
    FilterTitle => ["Filter", "Filtre", "Filter", "Filter", "Filtro", "Filtro"],
    DateFrom => ["From (YYYY-MM-DD)", "Du (AAAA-MM-JJ)", "Van (JJJJ-MM-DD)", "Von (JJJJ-MM-TT)", "Desde (AAAA-MM-DD)", "Dal (AAAA-MM-GG)"],
    DateTo => ["To (YYYY-MM-DD)", "Au (AAAA-MM-JJ)", "Tot (JJJJ-MM-DD)", "Bis (JJJJ-MM-TT)", "Hasta (AAAA-MM-DD)", "Al (AAAA-MM-GG)"],
    DateKindLabel => ["Kind of date", "Type de date", "Soort datum", "Art des Datums", "Tipo de fecha", "Tipo di data"],
    DateUpdated => ["Last update", "Dernière mise à jour", "Laatste wijziging", "Letzte Änderung", "Última actualización", "Ultimo aggiornamento"],
    DateCaptured => ["Capture", "Capture", "Capture", "Buchung", "Captura", "Incasso"],
    MinAmount => ["Amount from (minor units)", "Montant à partir de (centimes)", "Bedrag vanaf (centen)", "Betrag ab (kleinste Einheit)", "Importe desde (céntimos)", "Importo da (centesimi)"],
    MaxAmount => ["Amount up to (minor units)", "Montant jusqu'à (centimes)", "Bedrag tot (centen)", "Betrag bis (kleinste Einheit)", "Importe hasta (céntimos)", "Importo fino a (centesimi)"],
    ReferenceLabel => ["Merchant reference", "Référence marchand", "Referentie verkoper", "Händlerreferenz", "Referencia del comercio", "Riferimento venditore"],
    Last4Label => ["Card last 4 digits", "4 derniers chiffres de la carte", "Laatste 4 cijfers van de kaart", "Letzte 4 Ziffern der Karte", "Últimos 4 dígitos de la tarjeta", "Ultime 4 cifre della carta"],
    EmailLabel => ["Customer e-mail", "E-mail du client", "E-mail van de klant", "E-Mail des Kunden", "Correo del cliente", "E-mail del cliente"],
    Search => ["Search", "Rechercher", "Zoeken", "Suchen", "Buscar", "Cerca"],
    ClearFilter => ["Clear", "Effacer", "Wissen", "Zurücksetzen", "Borrar", "Cancella"],
    ResultsCount => ["{n} payments", "{n} paiements", "{n} betalingen", "{n} Zahlungen", "{n} pagos", "{n} pagamenti"],
    PageOf => ["Page {page} of {pages}", "Page {page} sur {pages}", "Pagina {page} van {pages}", "Seite {page} von {pages}", "Página {page} de {pages}", "Pagina {page} di {pages}"],
    Previous => ["Previous", "Précédente", "Vorige", "Zurück", "Anterior", "Precedente"],
    Next => ["Next", "Suivante", "Volgende", "Weiter", "Siguiente", "Successiva"],
    NoPayments => ["No payment matches.", "Aucun paiement ne correspond.", "Geen betaling komt overeen.", "Keine Zahlung entspricht.", "Ningún pago coincide.", "Nessun pagamento corrisponde."],
    ChannelLabel => ["Channel", "Canal", "Kanaal", "Kanal", "Canal", "Canale"],
    LabelNew => ["New", "Nouveau", "Nieuw", "Neu", "Nuevo", "Nuovo"],
    LabelUncaptured => ["Uncaptured", "Non capturé", "Niet gecapturet", "Nicht gebucht", "Sin capturar", "Non incassato"],
    LabelSucceeded => ["Succeeded", "Réussi", "Geslaagd", "Erfolgreich", "Correcto", "Riuscito"],
    LabelDeclined => ["Declined", "Refusé", "Geweigerd", "Abgelehnt", "Rechazado", "Rifiutato"],
    LabelCancelled => ["Cancelled", "Annulé", "Geannuleerd", "Storniert", "Cancelado", "Annullato"],
    LabelPartialRefund => ["Partial refund", "Remboursement partiel", "Gedeeltelijke terugbetaling", "Teilerstattung", "Reembolso parcial", "Rimborso parziale"],
    LabelRefunded => ["Refunded", "Remboursé", "Terugbetaald", "Erstattet", "Reembolsado", "Rimborsato"],
    LabelExpired => ["Expired", "Expiré", "Verlopen", "Abgelaufen", "Caducado", "Scaduto"],
    PaymentInformation => ["Payment information", "Informations sur le paiement", "Betalingsinformatie", "Zahlungsinformationen", "Información del pago", "Informazioni sul pagamento"],
    TabOperation => ["Operation details", "Détails de l'opération", "Details van de verrichting", "Vorgangsdetails", "Detalles de la operación", "Dettagli dell'operazione"],
    TabCustomer => ["Customer information", "Informations client", "Klantinformatie", "Kundeninformationen", "Información del cliente", "Informazioni sul cliente"],
    TabActivity => ["Activity", "Activité", "Activiteit", "Aktivität", "Actividad", "Attività"],
    MethodLabel => ["Payment method", "Moyen de paiement", "Betaalmethode", "Zahlungsart", "Método de pago", "Metodo di pagamento"],
    AuthorisedLabel => ["Pre-authorised", "Pré-autorisé", "Vooraf geautoriseerd", "Vorautorisiert", "Preautorizado", "Preautorizzato"],
    ReceivedLabel => ["Received", "Reçu", "Ontvangen", "Erhalten", "Recibido", "Ricevuto"],
    RefundedLabel => ["Refunded", "Remboursé", "Terugbetaald", "Erstattet", "Reembolsado", "Rimborsato"],
    EciLabel => ["ECI", "ECI", "ECI", "ECI", "ECI", "ECI"],
    IpLabel => ["IP address", "Adresse IP", "IP-adres", "IP-Adresse", "Dirección IP", "Indirizzo IP"],
    ByLabel => ["By", "Par", "Door", "Von", "Por", "Da"],
    ResultLabel => ["Result", "Résultat", "Resultaat", "Ergebnis", "Resultado", "Esito"],
    OpSucceeded => ["succeeded", "réussie", "geslaagd", "erfolgreich", "correcta", "riuscita"],
    OpFailed => ["failed", "échouée", "mislukt", "fehlgeschlagen", "fallida", "fallita"],
    KindAuthorise => ["Authorisation", "Autorisation", "Autorisatie", "Autorisierung", "Autorización", "Autorizzazione"],
    KindCapture => ["Capture", "Capture", "Capture", "Buchung", "Captura", "Incasso"],
    KindCancel => ["Cancellation", "Annulation", "Annulering", "Stornierung", "Cancelación", "Annullamento"],
    KindRefund => ["Refund", "Remboursement", "Terugbetaling", "Erstattung", "Reembolso", "Rimborso"],
    KindExpire => ["Expiry", "Expiration", "Verloop", "Ablauf", "Caducidad", "Scadenza"],
    CaptureButton => ["Capture…", "Capturer…", "Capturen…", "Buchen…", "Capturar…", "Incassa…"],
    CaptureAmount => ["Amount to capture", "Montant à capturer", "Te capturen bedrag", "Zu buchender Betrag", "Importe a capturar", "Importo da incassare"],
    FinalCapture => ["Final capture: release the rest of the authorisation", "Capture finale : libérer le reste de l'autorisation", "Laatste capture: de rest van de autorisatie vrijgeven", "Letzte Buchung: den Rest der Autorisierung freigeben", "Captura final: liberar el resto de la autorización", "Incasso finale: rilascia il resto dell'autorizzazione"],
    ConfirmCapture => ["Capture {amount}", "Capturer {amount}", "{amount} capturen", "{amount} buchen", "Capturar {amount}", "Incassa {amount}"],
    CancelPaymentButton => ["Cancel payment…", "Annuler le paiement…", "Betaling annuleren…", "Zahlung stornieren…", "Cancelar el pago…", "Annulla il pagamento…"],
    ConfirmCancelText => ["Cancel this payment? The authorisation is released and nothing more can be captured.", "Annuler ce paiement ? L'autorisation est libérée et plus rien ne pourra être capturé.", "Deze betaling annuleren? De autorisatie wordt vrijgegeven en er kan niets meer worden gecapturet.", "Diese Zahlung stornieren? Die Autorisierung wird freigegeben und es kann nichts mehr gebucht werden.", "¿Cancelar este pago? La autorización se libera y ya no se podrá capturar nada.", "Annullare questo pagamento? L'autorizzazione viene rilasciata e non si potrà più incassare nulla."],
    ConfirmCancel => ["Cancel payment", "Annuler le paiement", "Betaling annuleren", "Zahlung stornieren", "Cancelar el pago", "Annulla il pagamento"],
    RefundButton => ["Refund…", "Rembourser…", "Terugbetalen…", "Erstatten…", "Reembolsar…", "Rimborsa…"],
    RefundAmount => ["Amount to refund", "Montant à rembourser", "Terug te betalen bedrag", "Zu erstattender Betrag", "Importe a reembolsar", "Importo da rimborsare"],
    ConfirmRefund => ["Refund {amount}", "Rembourser {amount}", "{amount} terugbetalen", "{amount} erstatten", "Reembolsar {amount}", "Rimborsa {amount}"],
    AtMost => ["At most {amount}.", "Au plus {amount}.", "Hoogstens {amount}.", "Höchstens {amount}.", "Como máximo {amount}.", "Al massimo {amount}."],
    OperationDone => ["Done: the payment is updated.", "C'est fait : le paiement est à jour.", "Klaar: de betaling is bijgewerkt.", "Erledigt: Die Zahlung ist aktualisiert.", "Hecho: el pago está actualizado.", "Fatto: il pagamento è aggiornato."],
    ExportCsv => ["Export all as CSV", "Tout exporter en CSV", "Alles exporteren als CSV", "Alles als CSV exportieren", "Exportar todo en CSV", "Esporta tutto in CSV"],
    ExportXml => ["Export all as XML", "Tout exporter en XML", "Alles exporteren als XML", "Alles als XML exportieren", "Exportar todo en XML", "Esporta tutto in XML"],
    NotFound => ["Page not found.", "Page introuvable.", "Pagina niet gevonden.", "Seite nicht gefunden.", "Página no encontrada.", "Pagina non trovata."],
    Loading => ["Loading…", "Chargement…", "Laden…", "Wird geladen…", "Cargando…", "Caricamento…"],
}

/// The language of the page being rendered.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// `key` in the page's language.
pub fn t(key: T) -> &'static str {
    key.text(use_lang())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_and_is_non_empty_in_every_language() {
        for key in T::ALL {
            for lang in Lang::ALL {
                assert!(!key.text(lang).trim().is_empty(), "{key:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn placeholders_are_kept_in_every_translation() {
        for key in T::ALL {
            let en = key.text(Lang::En);
            for ph in [
                "{until}",
                "{name}",
                "{n}",
                "{login}",
                "{pspid}",
                "{env}",
                "{minutes}",
                "{link}",
                "{time}",
                "{reason}",
                "{amount}",
                "{masked}",
                "{secret}",
                "{page}",
                "{pages}",
            ] {
                if en.contains(ph) {
                    for lang in Lang::ALL {
                        assert!(key.text(lang).contains(ph), "{key:?} {lang:?} lacks {ph}");
                    }
                }
            }
        }
    }

    #[test]
    fn menu_differs_between_languages() {
        assert_eq!(T::MenuHome.text(Lang::Fr), "Accueil");
        assert_eq!(T::MenuHome.text(Lang::De), "Startseite");
        assert_eq!(T::MenuHome.text(Lang::Es), "Inicio");
    }
}
