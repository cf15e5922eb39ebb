<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AccountsPage</name>
    <message>
        <source>Sign-ins and keys are kept in %1.</source>
        <translation>Anmeldungen und Schlüssel werden %1 aufbewahrt.</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Konten</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>@%1 · X Chat · %2</source>
        <translation>@%1 · X Chat · %2</translation>
    </message>
    <message>
        <source>Sign in again</source>
        <translation>Erneut anmelden</translation>
    </message>
    <message>
        <source>Back up keys…</source>
        <translation>Schlüssel sichern…</translation>
    </message>
    <message>
        <source>Sign out…</source>
        <translation>Abmelden…</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Entfernen…</translation>
    </message>
    <message>
        <source>Finish signing in in your browser…</source>
        <translation>Schließe die Anmeldung in deinem Browser ab…</translation>
    </message>
    <message>
        <source>Add account…</source>
        <translation>Konto hinzufügen…</translation>
    </message>
    <message>
        <source>Add an account</source>
        <translation>Konto hinzufügen</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss</source>
        <translation>Ausblenden</translation>
    </message>
</context>
<context>
    <name>CommandLine</name>
    <message>
        <source>Confab: every conversation of every account in one window.</source>
        <translation>Confab: alle Unterhaltungen all deiner Konten in einem Fenster.</translation>
    </message>
    <message>
        <source>Use the isolated profile &lt;name&gt; (own settings, data and keychain entries). Default: &quot;%1&quot;.</source>
        <translation>Das isolierte Profil &lt;name&gt; verwenden (eigene Einstellungen, Daten und Schlüsselbund-Einträge). Standard: „%1“.</translation>
    </message>
    <message>
        <source>name</source>
        <translation>name</translation>
    </message>
    <message>
        <source>Talk to the chat server at &lt;url&gt; (for example a confab-localserver on http://127.0.0.1:PORT) instead of the real services.</source>
        <translation>Den Chatserver unter &lt;url&gt; verwenden (zum Beispiel einen confab-localserver auf http://127.0.0.1:PORT) statt der echten Dienste.</translation>
    </message>
    <message>
        <source>url</source>
        <translation>url</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Editing your message</source>
        <translation>Du bearbeitest deine Nachricht</translation>
    </message>
    <message>
        <source>Replying to %1</source>
        <translation>Antwort an %1</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>Bearbeiten abbrechen</translation>
    </message>
    <message>
        <source>Cancel reply</source>
        <translation>Antwort abbrechen</translation>
    </message>
    <message>
        <source>Insert emoji</source>
        <translation>Emoji einfügen</translation>
    </message>
    <message>
        <source>Emoji</source>
        <translation>Emoji</translation>
    </message>
    <message>
        <source>Edit your message</source>
        <translation>Deine Nachricht bearbeiten</translation>
    </message>
    <message>
        <source>Write a message…</source>
        <translation>Nachricht schreiben…</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Save the edit</source>
        <translation>Änderung speichern</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>%1 entfernen</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Dateien anhängen</translation>
    </message>
    <message>
        <source>Attach files (or drop them here, or paste a picture)</source>
        <translation>Dateien anhängen (oder hier ablegen oder ein Bild einfügen)</translation>
    </message>
    <message>
        <source>Choose files to send</source>
        <translation>Dateien zum Senden auswählen</translation>
    </message>
    <message>
        <source>Add a caption…</source>
        <translation>Bildunterschrift hinzufügen…</translation>
    </message>
</context>
<context>
    <name>ConversationDelegate</name>
    <message numerus="yes">
        <source>%n unread</source>
        <translation>
            <numerusform>%n ungelesen</numerusform>
            <numerusform>%n ungelesen</numerusform>
        </translation>
    </message>
    <message>
        <source>A key in this conversation changed. Compare fingerprints before you trust it.</source>
        <translation>Ein Schlüssel in dieser Unterhaltung hat sich geändert. Vergleiche die Fingerabdrücke, bevor du ihm vertraust.</translation>
    </message>
    <message>
        <source>Draft: %1</source>
        <translation>Entwurf: %1</translation>
    </message>
    <message>
        <source>Draft:</source>
        <translation>Entwurf:</translation>
    </message>
</context>
<context>
    <name>ConversationDetailsDialog</name>
    <message>
        <source>Conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>Compare each fingerprint with the person over another channel (in person, a call). If they match, nobody is listening in.</source>
        <translation>Vergleiche jeden Fingerabdruck mit der jeweiligen Person über einen anderen Kanal (persönlich oder per Anruf). Wenn sie übereinstimmen, hört niemand mit.</translation>
    </message>
    <message>
        <source>Your fingerprint: %1</source>
        <translation>Dein Fingerabdruck: %1</translation>
    </message>
    <message>
        <source>not known yet</source>
        <translation>noch nicht bekannt</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>Admin</translation>
    </message>
    <message>
        <source>Fingerprint not known yet</source>
        <translation>Fingerabdruck noch nicht bekannt</translation>
    </message>
    <message>
        <source>Verified</source>
        <translation>Verifiziert</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>Verifizieren</translation>
    </message>
    <message>
        <source>Verified %1&apos;s fingerprint</source>
        <translation>Fingerabdruck von %1 verifiziert</translation>
    </message>
    <message>
        <source>Mute notifications</source>
        <translation>Benachrichtigungen stummschalten</translation>
    </message>
</context>
<context>
    <name>ConversationListPane</name>
    <message>
        <source>Chats</source>
        <translation>Chats</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <source>New conversation (Ctrl+N)</source>
        <translation>Neue Unterhaltung (Strg+N)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Settings (Ctrl+,)</source>
        <translation>Einstellungen (Strg+,)</translation>
    </message>
    <message>
        <source>Search (Ctrl+F)</source>
        <translation>Suchen (Strg+F)</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>Unterhaltungen durchsuchen</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <source>Nothing found</source>
        <translation>Nichts gefunden</translation>
    </message>
    <message>
        <source>No conversations yet</source>
        <translation>Noch keine Unterhaltungen</translation>
    </message>
    <message>
        <source>No conversation&apos;s name or last message matches &quot;%1&quot;.</source>
        <translation>Weder Name noch letzte Nachricht einer Unterhaltung passen zu „%1“.</translation>
    </message>
    <message>
        <source>Conversations from your X Chat, Azure Communication Services and AionVision accounts appear here.</source>
        <translation>Unterhaltungen aus deinen Konten bei X Chat, Azure Communication Services und AionVision erscheinen hier.</translation>
    </message>
    <message>
        <source>Profile: %1</source>
        <translation>Profil: %1</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>Server: %1</translation>
    </message>
    <message>
        <source>Nothing is kept after you quit</source>
        <translation>Nach dem Beenden wird nichts aufbewahrt</translation>
    </message>
    <message>
        <source>All accounts</source>
        <translation>Alle Konten</translation>
    </message>
    <message>
        <source>%1 (@%2)</source>
        <translation>%1 (@%2)</translation>
    </message>
    <message>
        <source>Show the conversations of</source>
        <translation>Unterhaltungen anzeigen von</translation>
    </message>
</context>
<context>
    <name>ConversationPane</name>
    <message>
        <source>Opening your conversations</source>
        <translation>Deine Unterhaltungen werden geöffnet</translation>
    </message>
    <message>
        <source>Confab cannot start</source>
        <translation>Confab kann nicht starten</translation>
    </message>
    <message>
        <source>Welcome to Confab</source>
        <translation>Willkommen bei Confab</translation>
    </message>
    <message>
        <source>Choose a conversation on the left to read and reply here.</source>
        <translation>Wähle links eine Unterhaltung aus, um sie hier zu lesen und zu beantworten.</translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 schreibt…</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n others are typing…</source>
        <translation>
            <numerusform>%1 und %n weitere schreiben…</numerusform>
            <numerusform>%1 und %n weitere schreiben…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n members</source>
        <translation>
            <numerusform>%n Mitglied</numerusform>
            <numerusform>%n Mitglieder</numerusform>
        </translation>
    </message>
    <message>
        <source>End-to-end encrypted</source>
        <translation>Ende-zu-Ende-verschlüsselt</translation>
    </message>
    <message>
        <source>Conversation details</source>
        <translation>Details der Unterhaltung</translation>
    </message>
    <message>
        <source>Members and keys</source>
        <translation>Mitglieder und Schlüssel</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>Noch keine Nachrichten</translation>
    </message>
    <message>
        <source>Say hello. Messages here are end-to-end encrypted.</source>
        <translation>Sag Hallo. Nachrichten hier sind Ende-zu-Ende-verschlüsselt.</translation>
    </message>
    <message>
        <source>Jump to the newest message</source>
        <translation>Zur neuesten Nachricht springen</translation>
    </message>
    <message>
        <source>Newest messages (End)</source>
        <translation>Neueste Nachrichten (Ende)</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>React…</source>
        <translation>Reagieren…</translation>
    </message>
    <message>
        <source>Copy text</source>
        <translation>Text kopieren</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Delete for me</source>
        <translation>Für mich löschen</translation>
    </message>
    <message>
        <source>Delete for everyone</source>
        <translation>Für alle löschen</translation>
    </message>
    <message>
        <source>Drop files here to send them to %1</source>
        <translation>Dateien hier ablegen, um sie an %1 zu senden</translation>
    </message>
</context>
<context>
    <name>KeyBackupDialog</name>
    <message>
        <source>Back up end-to-end keys</source>
        <translation>Ende-zu-Ende-Schlüssel sichern</translation>
    </message>
    <message>
        <source>The key backup is saved. Keep it and its passphrase somewhere safe.</source>
        <translation>Die Schlüsselsicherung ist gespeichert. Bewahre sie und ihre Passphrase an einem sicheren Ort auf.</translation>
    </message>
    <message>
        <source>Save the key backup</source>
        <translation>Schlüsselsicherung speichern</translation>
    </message>
    <message>
        <source>Key backups (*.confabkeys)</source>
        <translation>Schlüsselsicherungen (*.confabkeys)</translation>
    </message>
    <message>
        <source>The backup holds the private keys that read %1&apos;s end-to-end encrypted messages. Choose a passphrase only you know; nobody can recover it.</source>
        <translation>Die Sicherung enthält die privaten Schlüssel, mit denen sich die Ende-zu-Ende-verschlüsselten Nachrichten von %1 lesen lassen. Wähle eine Passphrase, die nur du kennst – niemand kann sie wiederherstellen.</translation>
    </message>
    <message>
        <source>Passphrase (at least 10 characters)</source>
        <translation>Passphrase (mindestens 10 Zeichen)</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>The same passphrase again</source>
        <translation>Dieselbe Passphrase noch einmal</translation>
    </message>
    <message>
        <source>Repeat the passphrase</source>
        <translation>Passphrase wiederholen</translation>
    </message>
    <message>
        <source>The passphrases differ.</source>
        <translation>Die Passphrasen stimmen nicht überein.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Save backup…</source>
        <translation>Sicherung speichern…</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Confab</source>
        <translation>Confab</translation>
    </message>
    <message>
        <source>Confab — %1</source>
        <translation>Confab — %1</translation>
    </message>
    <message>
        <source>Use a passphrase file…</source>
        <translation>Datei mit Passphrase verwenden…</translation>
    </message>
    <message>
        <source>(%1) %2</source>
        <translation>(%1) %2</translation>
    </message>
</context>
<context>
    <name>MediaViewer</name>
    <message>
        <source>This picture could not be shown.</source>
        <translation>Dieses Bild konnte nicht angezeigt werden.</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Weiter</translation>
    </message>
    <message>
        <source>Picture</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <source>Fit to the window</source>
        <translation>An das Fenster anpassen</translation>
    </message>
    <message>
        <source>Actual size</source>
        <translation>Originalgröße</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Speichern unter…</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Open with the system&apos;s application</source>
        <translation>Mit der Anwendung des Systems öffnen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Save the attachment</source>
        <translation>Anhang speichern</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>You</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>deleted message</source>
        <translation>gelöschte Nachricht</translation>
    </message>
    <message>
        <source>⚠ This quote does not match the original message.</source>
        <translation>⚠ Dieses Zitat stimmt nicht mit der ursprünglichen Nachricht überein.</translation>
    </message>
    <message>
        <source>Attachment</source>
        <translation>Anhang</translation>
    </message>
    <message>
        <source>This message was deleted.</source>
        <translation>Diese Nachricht wurde gelöscht.</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>bearbeitet</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Wird gesendet</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Gelesen</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>Nicht gesendet</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Nicht gesendet: %1</translation>
    </message>
    <message>
        <source>Not sent.</source>
        <translation>Nicht gesendet.</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>Message actions</source>
        <translation>Nachrichtenaktionen</translation>
    </message>
    <message numerus="yes">
        <source>%1, %n reactions</source>
        <translation>
            <numerusform>%1, %n Reaktion</numerusform>
            <numerusform>%1, %n Reaktionen</numerusform>
        </translation>
    </message>
    <message>
        <source>This picture could not be shown.</source>
        <translation>Dieses Bild kann nicht angezeigt werden.</translation>
    </message>
    <message>
        <source>Loading the picture…</source>
        <translation>Bild wird geladen …</translation>
    </message>
    <message>
        <source>Picture</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Downloading the picture…</source>
        <translation>Bild wird heruntergeladen …</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Stop sending</source>
        <translation>Senden abbrechen</translation>
    </message>
    <message>
        <source>Stop sending and remove the message</source>
        <translation>Senden abbrechen und die Nachricht entfernen</translation>
    </message>
</context>
<context>
    <name>NewConversationDialog</name>
    <message>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>@handle</source>
        <translation>@Benutzername</translation>
    </message>
    <message>
        <source>Handle of the person to add</source>
        <translation>Benutzername der Person, die du hinzufügen möchtest</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>%1 (@%2)</source>
        <translation>%1 (@%2)</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>%1 entfernen</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>Gruppenname</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Create group</source>
        <translation>Gruppe erstellen</translation>
    </message>
    <message>
        <source>Start chat</source>
        <translation>Chat starten</translation>
    </message>
</context>
<context>
    <name>NoticeDelegate</name>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>⚠ A message from %1 could not be shown: %2</source>
        <translation>⚠ Eine Nachricht von %1 konnte nicht angezeigt werden: %2</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>The server&apos;s answer to the sign-in could not be understood. Try again later.</source>
        <translation>Die Antwort des Servers auf die Anmeldung war unverständlich. Versuche es später noch einmal.</translation>
    </message>
    <message>
        <source>Your sign-in has ended: it was revoked, has expired or was replaced. Sign in again to keep using this account.</source>
        <translation>Deine Anmeldung ist beendet: sie wurde widerrufen, ist abgelaufen oder wurde ersetzt. Melde dich erneut an, um dieses Konto weiter zu verwenden.</translation>
    </message>
    <message>
        <source>The server did not accept this sign-in. Try signing in again.</source>
        <translation>Der Server hat diese Anmeldung nicht akzeptiert. Versuche, dich erneut anzumelden.</translation>
    </message>
    <message>
        <source>The server does not accept Confab&apos;s app id “%1”. Check the server address.</source>
        <translation>Der Server akzeptiert die App-ID „%1“ von Confab nicht. Überprüfe die Serveradresse.</translation>
    </message>
    <message>
        <source>The server refused the sign-in request. Try again later.</source>
        <translation>Der Server hat die Anmeldeanfrage abgelehnt. Versuche es später noch einmal.</translation>
    </message>
    <message>
        <source>The sign-in was cancelled.</source>
        <translation>Die Anmeldung wurde abgebrochen.</translation>
    </message>
</context>
<context>
    <name>QuickSwitcher</name>
    <message>
        <source>Jump to a conversation…</source>
        <translation>Zu einer Unterhaltung springen…</translation>
    </message>
    <message>
        <source>Conversation to open</source>
        <translation>Zu öffnende Unterhaltung</translation>
    </message>
</context>
<context>
    <name>SecretsFileDialog</name>
    <message>
        <source>Keep secrets in a passphrase-protected file</source>
        <translation>Geheime Daten in einer mit Passphrase geschützten Datei aufbewahren</translation>
    </message>
    <message>
        <source>Your sign-ins and end-to-end keys will be sealed with this passphrase in a file of this profile. You type it every time Confab starts. Nobody can recover it: if you forget it, you sign in again and your keys are lost unless you have a key backup.</source>
        <translation>Deine Anmeldungen und Ende-zu-Ende-Schlüssel werden mit dieser Passphrase in einer Datei dieses Profils versiegelt. Du gibst sie bei jedem Start von Confab ein. Niemand kann sie wiederherstellen: Wenn du sie vergisst, musst du dich erneut anmelden, und deine Schlüssel sind verloren, es sei denn, du hast eine Schlüsselsicherung.</translation>
    </message>
    <message>
        <source>Passphrase (at least 10 characters)</source>
        <translation>Passphrase (mindestens 10 Zeichen)</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>The same passphrase again</source>
        <translation>Dieselbe Passphrase noch einmal</translation>
    </message>
    <message>
        <source>Repeat the passphrase</source>
        <translation>Passphrase wiederholen</translation>
    </message>
    <message>
        <source>The passphrases differ.</source>
        <translation>Die Passphrasen stimmen nicht überein.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Keep secrets in the file</source>
        <translation>Geheime Daten in der Datei aufbewahren</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Konten</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Darstellung</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Systemeinstellung verwenden</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Drawing</source>
        <translation>Darstellung</translation>
    </message>
    <message>
        <source>Automatic: the graphics card when there is one</source>
        <translation>Automatisch: mit der Grafikkarte, wenn es eine gibt</translation>
    </message>
    <message>
        <source>Always the graphics card</source>
        <translation>Immer mit der Grafikkarte</translation>
    </message>
    <message>
        <source>Always in software (for graphics drivers that misbehave)</source>
        <translation>Immer in Software (für Grafiktreiber, die Probleme machen)</translation>
    </message>
    <message>
        <source>Takes effect the next time Confab starts.</source>
        <translation>Gilt ab dem nächsten Start von Confab.</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Benachrichtigungen</translation>
    </message>
    <message>
        <source>This desktop shows no notifications (no notification service is running): new messages show as the unread count in the window title.</source>
        <translation>Dieser Desktop zeigt keine Benachrichtigungen an (es läuft kein Benachrichtigungsdienst): Neue Nachrichten erscheinen als Zahl der ungelesenen im Fenstertitel.</translation>
    </message>
    <message>
        <source>Show a notification for new messages</source>
        <translation>Bei neuen Nachrichten benachrichtigen</translation>
    </message>
    <message>
        <source>Include the message text</source>
        <translation>Den Nachrichtentext zeigen</translation>
    </message>
    <message>
        <source>Do not disturb</source>
        <translation>Nicht stören</translation>
    </message>
    <message>
        <source>Muted conversations and the conversation you are reading never notify.</source>
        <translation>Stummgeschaltete Unterhaltungen und die Unterhaltung, die du gerade liest, benachrichtigen nie.</translation>
    </message>
    <message>
        <source>Closing the window keeps Confab in the tray</source>
        <translation>Beim Schließen des Fensters bleibt Confab im Infobereich</translation>
    </message>
</context>
<context>
    <name>SignInPanel</name>
    <message>
        <source>Sign in to %1</source>
        <translation>Bei %1 anmelden</translation>
    </message>
    <message>
        <source>Sign in to X</source>
        <translation>Bei X anmelden</translation>
    </message>
    <message>
        <source>Your browser opens the server&apos;s sign-in page. Confab never sees your password.</source>
        <translation>Dein Browser öffnet die Anmeldeseite des Servers. Confab sieht dein Passwort nie.</translation>
    </message>
    <message>
        <source>Your browser opens X&apos;s sign-in page. Confab never sees your password. X needs the client id of your own X app (developer.x.com, &quot;Keys and tokens&quot;).</source>
        <translation>Dein Browser öffnet die Anmeldeseite von X. Confab sieht dein Passwort nie. X benötigt die Client-ID deiner eigenen X-App (developer.x.com, „Keys and tokens“).</translation>
    </message>
    <message>
        <source>OAuth 2.0 client id</source>
        <translation>OAuth-2.0-Client-ID</translation>
    </message>
    <message>
        <source>Client id of your X app</source>
        <translation>Client-ID deiner X-App</translation>
    </message>
    <message>
        <source>Restore my end-to-end keys from a key backup</source>
        <translation>Meine Ende-zu-Ende-Schlüssel aus einer Schlüsselsicherung wiederherstellen</translation>
    </message>
    <message>
        <source>Choose backup…</source>
        <translation>Sicherung auswählen…</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>Ändern…</translation>
    </message>
    <message>
        <source>No file chosen</source>
        <translation>Keine Datei ausgewählt</translation>
    </message>
    <message>
        <source>Passphrase of the key backup</source>
        <translation>Passphrase der Schlüsselsicherung</translation>
    </message>
    <message>
        <source>Choose a key backup</source>
        <translation>Schlüsselsicherung auswählen</translation>
    </message>
    <message>
        <source>Key backups (*.confabkeys *.txt)</source>
        <translation>Schlüsselsicherungen (*.confabkeys *.txt)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Sign in with your browser</source>
        <translation>Mit deinem Browser anmelden</translation>
    </message>
    <message>
        <source>Signing in</source>
        <translation>Anmeldung läuft</translation>
    </message>
    <message>
        <source>Finish signing in in your browser. If no browser opened, copy the link and open it yourself.</source>
        <translation>Schließe die Anmeldung in deinem Browser ab. Falls sich kein Browser geöffnet hat, kopiere den Link und öffne ihn selbst.</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>Link kopieren</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>SignOutDialog</name>
    <message>
        <source>Remove %1?</source>
        <translation>%1 entfernen?</translation>
    </message>
    <message>
        <source>Sign out of %1?</source>
        <translation>Von %1 abmelden?</translation>
    </message>
    <message>
        <source>Confab signs out, deletes this account&apos;s conversations from this computer and forgets the account.</source>
        <translation>Confab meldet dich ab, löscht die Unterhaltungen dieses Kontos von diesem Computer und vergisst das Konto.</translation>
    </message>
    <message>
        <source>Confab signs out and deletes this account&apos;s conversations from this computer. You can sign in again later.</source>
        <translation>Confab meldet dich ab und löscht die Unterhaltungen dieses Kontos von diesem Computer. Du kannst dich später wieder anmelden.</translation>
    </message>
    <message>
        <source>Your end-to-end keys for this account exist only on this computer and have never been backed up. After signing out, messages sent to you before cannot be read anywhere, ever. Back up your keys first to keep them.</source>
        <translation>Deine Ende-zu-Ende-Schlüssel für dieses Konto gibt es nur auf diesem Computer, und sie wurden nie gesichert. Nach dem Abmelden lassen sich Nachrichten, die du bisher erhalten hast, nirgends mehr lesen – nie wieder. Sichere zuerst deine Schlüssel, um sie zu behalten.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Back up keys…</source>
        <translation>Schlüssel sichern…</translation>
    </message>
    <message>
        <source>Remove anyway</source>
        <translation>Trotzdem entfernen</translation>
    </message>
    <message>
        <source>Sign out anyway</source>
        <translation>Trotzdem abmelden</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Abmelden</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Confab</source>
        <translation>Confab</translation>
    </message>
    <message>
        <source>Open Confab</source>
        <translation>Confab öffnen</translation>
    </message>
    <message>
        <source>Do not disturb</source>
        <translation>Nicht stören</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Confab: 1 unread message</source>
        <translation>Confab: 1 ungelesene Nachricht</translation>
    </message>
    <message numerus="yes">
        <source>Confab: %n unread messages</source>
        <translation>
            <numerusform>Confab: %n ungelesene Nachricht</numerusform>
            <numerusform>Confab: %n ungelesene Nachrichten</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>UnlockSecretsDialog</name>
    <message>
        <source>Unlock your secrets</source>
        <translation>Geheime Daten entsperren</translation>
    </message>
    <message>
        <source>Confab keeps your sign-ins and keys in a file protected by your passphrase, because this computer has no keychain. Type the passphrase to open it.</source>
        <translation>Confab bewahrt deine Anmeldungen und Schlüssel in einer durch deine Passphrase geschützten Datei auf, weil dieser Computer keinen Schlüsselbund hat. Gib die Passphrase ein, um sie zu öffnen.</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>Nicht jetzt</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Entsperren</translation>
    </message>
</context>
<context>
    <name>confab::AppSession</name>
    <message>
        <source>Could not read %1: %2</source>
        <translation>%1 konnte nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is too large to be a key backup.</source>
        <translation>%1 ist zu groß für eine Schlüsselsicherung.</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>%1 konnte nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>Confab could not open its message cache: %1</source>
        <translation>Confab konnte seinen Nachrichtenzwischenspeicher nicht öffnen: %1</translation>
    </message>
    <message>
        <source>%1 Until then, Confab keeps your sign-in for this session only: you will sign in again next time.</source>
        <translation>%1 Bis dahin behält Confab deine Anmeldung nur für diese Sitzung: Beim nächsten Mal musst du dich erneut anmelden.</translation>
    </message>
    <message>
        <source>The secrets file stays locked, so Confab keeps your sign-in for this session only.</source>
        <translation>Die Datei mit den geheimen Daten bleibt gesperrt, daher behält Confab deine Anmeldung nur für diese Sitzung.</translation>
    </message>
    <message>
        <source>Enter the client id of your X app (developer.x.com, &quot;Keys and tokens&quot;, OAuth 2.0 Client ID) to sign in to X.</source>
        <translation>Gib die Client-ID deiner X-App ein (developer.x.com, „Keys and tokens“, OAuth 2.0 Client ID), um dich bei X anzumelden.</translation>
    </message>
</context>
<context>
    <name>confab::ChatController</name>
    <message>
        <source>This conversation&apos;s account is signed out. Sign in again to use it.</source>
        <translation>Das Konto dieser Unterhaltung ist abgemeldet. Melde dich erneut an, um es zu verwenden.</translation>
    </message>
    <message>
        <source>Someone</source>
        <translation>Jemand</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n Datei</numerusform>
            <numerusform>%n Dateien</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>confab::Error</name>
    <message>
        <source>Could not reach the server. Check your connection; Confab will retry.</source>
        <translation>Der Server ist nicht erreichbar. Überprüfe deine Verbindung; Confab versucht es erneut.</translation>
    </message>
    <message>
        <source>The server took too long to answer. Confab will retry.</source>
        <translation>Der Server hat zu lange nicht geantwortet. Confab versucht es erneut.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>The service is limiting requests. Confab will continue when it allows.</source>
        <translation>Der Dienst begrenzt die Anfragen. Confab macht weiter, sobald er es zulässt.</translation>
    </message>
    <message>
        <source>Your session has expired. Please sign in again.</source>
        <translation>Deine Sitzung ist abgelaufen. Bitte melde dich erneut an.</translation>
    </message>
    <message>
        <source>You are not allowed to do this.</source>
        <translation>Das darfst du nicht.</translation>
    </message>
    <message>
        <source>It no longer exists on the server.</source>
        <translation>Es existiert auf dem Server nicht mehr.</translation>
    </message>
    <message>
        <source>The server refused this because of a conflict.</source>
        <translation>Der Server hat dies wegen eines Konflikts abgelehnt.</translation>
    </message>
    <message>
        <source>The server did not accept this request.</source>
        <translation>Der Server hat diese Anfrage nicht angenommen.</translation>
    </message>
    <message>
        <source>The server sent an answer Confab could not understand.</source>
        <translation>Der Server hat eine Antwort gesendet, die Confab nicht verstehen konnte.</translation>
    </message>
    <message>
        <source>The service had a problem. Confab will retry.</source>
        <translation>Beim Dienst ist ein Problem aufgetreten. Confab versucht es erneut.</translation>
    </message>
    <message>
        <source>This could not be decrypted or verified.</source>
        <translation>Dies konnte nicht entschlüsselt oder überprüft werden.</translation>
    </message>
    <message>
        <source>Confab could not read or write its local data.</source>
        <translation>Confab konnte seine lokalen Daten nicht lesen oder schreiben.</translation>
    </message>
    <message>
        <source>The system keychain is not available.</source>
        <translation>Der Schlüsselbund des Systems ist nicht verfügbar.</translation>
    </message>
    <message>
        <source>Something went wrong inside Confab.</source>
        <translation>In Confab ist ein interner Fehler aufgetreten.</translation>
    </message>
</context>
<context>
    <name>confab::MediaController</name>
    <message>
        <source>The account of this conversation is gone: its attachments cannot be downloaded.</source>
        <translation>Das Konto dieser Unterhaltung gibt es nicht mehr: Ihre Anhänge können nicht heruntergeladen werden.</translation>
    </message>
    <message>
        <source>At most 10 files go in one message.</source>
        <translation>In eine Nachricht passen höchstens 10 Dateien.</translation>
    </message>
    <message>
        <source>Only files on this computer can be sent.</source>
        <translation>Nur Dateien auf diesem Computer können gesendet werden.</translation>
    </message>
    <message>
        <source>Pasted picture %1</source>
        <translation>Eingefügtes Bild %1</translation>
    </message>
    <message>
        <source>This attachment is not available.</source>
        <translation>Dieser Anhang ist nicht verfügbar.</translation>
    </message>
    <message>
        <source>Choose a place on this computer to save to.</source>
        <translation>Wähle einen Ort auf diesem Computer zum Speichern.</translation>
    </message>
    <message>
        <source>%1 could not be saved: %2</source>
        <translation>%1 konnte nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>No application on this computer opens %1.</source>
        <translation>Keine Anwendung auf diesem Computer kann %1 öffnen.</translation>
    </message>
</context>
<context>
    <name>confab::accounts::AccountManager</name>
    <message>
        <source>Confab could not keep this account&apos;s sign-in (%1). Sign in again.</source>
        <translation>Confab konnte die Anmeldung dieses Kontos nicht speichern (%1). Melde dich erneut an.</translation>
    </message>
    <message>
        <source>This key backup belongs to another X account.</source>
        <translation>Diese Schlüsselsicherung gehört zu einem anderen X-Konto.</translation>
    </message>
</context>
<context>
    <name>confab::localserver::Service</name>
    <message>
        <source>The request body is not a JSON object.</source>
        <translation>Der Anfragetext ist kein JSON-Objekt.</translation>
    </message>
    <message>
        <source>Unknown field %1.</source>
        <translation>Unbekanntes Feld %1.</translation>
    </message>
    <message>
        <source>confab-localserver delivers the chat events %1; %2 is not one of them.</source>
        <translation>confab-localserver liefert die Chat-Ereignisse %1; %2 gehört nicht dazu.</translation>
    </message>
    <message>
        <source>A chat subscription must be made by the user it monitors.</source>
        <translation>Ein Chat-Abonnement muss von dem Benutzer angelegt werden, den es überwacht.</translation>
    </message>
    <message>
        <source>confab-localserver has no webhooks: read the activity stream instead.</source>
        <translation>confab-localserver hat keine Webhooks: Lies stattdessen den Aktivitätsstream.</translation>
    </message>
    <message>
        <source>tag is 1 to 200 characters.</source>
        <translation>tag muss 1 bis 200 Zeichen lang sein.</translation>
    </message>
    <message>
        <source>The pagination_token is not valid.</source>
        <translation>Das pagination_token ist ungültig.</translation>
    </message>
    <message>
        <source>confab-localserver has no webhooks.</source>
        <translation>confab-localserver hat keine Webhooks.</translation>
    </message>
    <message>
        <source>ids must list 1 to 100 subscription ids.</source>
        <translation>ids muss 1 bis 100 Abonnement-IDs enthalten.</translation>
    </message>
    <message>
        <source>No such subscription.</source>
        <translation>Dieses Abonnement gibt es nicht.</translation>
    </message>
    <message>
        <source>backfill_minutes must be from 0 to 5.</source>
        <translation>backfill_minutes muss zwischen 0 und 5 liegen.</translation>
    </message>
    <message>
        <source>%1 must be YYYY-MM-DDTHH:mm:ssZ.</source>
        <translation>%1 muss das Format YYYY-MM-DDTHH:mm:ssZ haben.</translation>
    </message>
    <message>
        <source>`event` is not a base64 Thrift MessageEvent.</source>
        <translation>`event` ist kein base64-kodiertes Thrift-MessageEvent.</translation>
    </message>
    <message>
        <source>Give conversation_id and either `event`, or `raw_event` and `sender_id`.</source>
        <translation>Gib conversation_id und entweder `event` oder `raw_event` und `sender_id` an.</translation>
    </message>
    <message>
        <source>The event could not be stored.</source>
        <translation>Das Ereignis konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>Give group, requests and window_seconds.</source>
        <translation>Gib group, requests und window_seconds an.</translation>
    </message>
    <message>
        <source>The `id` path parameter value [%1] does not match ^([0-9]{1,19}|[0-9]{1,19}-[0-9]{1,19}|g[0-9]{1,19})$</source>
        <translation>Der Wert [%1] des Pfadparameters `id` passt nicht zu ^([0-9]{1,19}|[0-9]{1,19}-[0-9]{1,19}|g[0-9]{1,19})$</translation>
    </message>
    <message>
        <source>You are not a member of this conversation.</source>
        <translation>Du bist kein Mitglied dieser Unterhaltung.</translation>
    </message>
    <message>
        <source>A conversation needs two different users.</source>
        <translation>Eine Unterhaltung braucht zwei verschiedene Benutzer.</translation>
    </message>
    <message>
        <source>x-confab-demo-created-at is only accepted from demo peers, for times in the past.</source>
        <translation>x-confab-demo-created-at wird nur von Demo-Teilnehmern und nur für Zeitpunkte in der Vergangenheit akzeptiert.</translation>
    </message>
    <message>
        <source>x-confab-demo-created-at must not go back in time within a conversation.</source>
        <translation>x-confab-demo-created-at darf innerhalb einer Unterhaltung nicht in der Zeit zurückgehen.</translation>
    </message>
    <message>
        <source>message_event_signature needs signature, public_key_version and signature_version in their documented forms.</source>
        <translation>message_event_signature benötigt signature, public_key_version und signature_version in ihrer dokumentierten Form.</translation>
    </message>
    <message>
        <source>action_signatures is missing: this action must be signed.</source>
        <translation>action_signatures fehlt: Diese Aktion muss signiert werden.</translation>
    </message>
    <message>
        <source>Each action signature needs message_id and encoded_message_event_detail.</source>
        <translation>Jede Aktionssignatur benötigt message_id und encoded_message_event_detail.</translation>
    </message>
    <message>
        <source>encoded_message_event_detail is not a base64 Thrift MessageEventDetail: %1</source>
        <translation>encoded_message_event_detail ist kein base64-kodiertes Thrift-MessageEventDetail: %1</translation>
    </message>
    <message>
        <source>The signature names public key version %1, which you have not registered.</source>
        <translation>Die Signatur nennt die Version %1 des öffentlichen Schlüssels, die du nicht registriert hast.</translation>
    </message>
    <message>
        <source>The action signature does not verify with your registered signing key.</source>
        <translation>Die Aktionssignatur lässt sich mit deinem registrierten Signaturschlüssel nicht verifizieren.</translation>
    </message>
    <message>
        <source>conversation_key_version must be a millisecond timestamp.</source>
        <translation>conversation_key_version muss ein Zeitstempel in Millisekunden sein.</translation>
    </message>
    <message>
        <source>conversation_participant_keys is required.</source>
        <translation>conversation_participant_keys ist erforderlich.</translation>
    </message>
    <message>
        <source>Each participant key needs user_id, public_key_version and a 113-byte encrypted_conversation_key.</source>
        <translation>Jeder Teilnehmerschlüssel benötigt user_id, public_key_version und einen 113 Byte langen encrypted_conversation_key.</translation>
    </message>
    <message>
        <source>User %1 is not a member of this conversation.</source>
        <translation>Benutzer %1 ist kein Mitglied dieser Unterhaltung.</translation>
    </message>
    <message>
        <source>User %1 has no public key version %2.</source>
        <translation>Benutzer %1 hat keine Version %2 des öffentlichen Schlüssels.</translation>
    </message>
    <message>
        <source>The new conversation key is not wrapped for member %1.</source>
        <translation>Der neue Unterhaltungsschlüssel ist nicht für Mitglied %1 verschlüsselt (wrapped).</translation>
    </message>
    <message>
        <source>The signed key change does not match conversation_participant_keys.</source>
        <translation>Die signierte Schlüsseländerung stimmt nicht mit conversation_participant_keys überein.</translation>
    </message>
    <message>
        <source>The `pagination_token` query parameter value [%1] is not valid.</source>
        <translation>Der Wert [%1] des Abfrageparameters `pagination_token` ist ungültig.</translation>
    </message>
    <message>
        <source>action_signatures has no signed key change.</source>
        <translation>action_signatures enthält keine signierte Schlüsseländerung.</translation>
    </message>
    <message>
        <source>The signature names a public key version you have not registered.</source>
        <translation>Die Signatur nennt eine Version des öffentlichen Schlüssels, die du nicht registriert hast.</translation>
    </message>
    <message>
        <source>Conversation key version %1 exists already.</source>
        <translation>Die Version %1 des Unterhaltungsschlüssels existiert bereits.</translation>
    </message>
    <message>
        <source>conversation_id is required.</source>
        <translation>conversation_id ist erforderlich.</translation>
    </message>
    <message>
        <source>A group needs two action signatures: the key change and the group create.</source>
        <translation>Eine Gruppe benötigt zwei Aktionssignaturen: die Schlüsseländerung und das Erstellen der Gruppe.</translation>
    </message>
    <message>
        <source>The group %1 exists already.</source>
        <translation>Die Gruppe %1 existiert bereits.</translation>
    </message>
    <message>
        <source>Unknown group id %1: call group/initialize first.</source>
        <translation>Unbekannte Gruppen-ID %1: Rufe zuerst group/initialize auf.</translation>
    </message>
    <message>
        <source>This group id was initialized by someone else.</source>
        <translation>Diese Gruppen-ID wurde von jemand anderem initialisiert.</translation>
    </message>
    <message>
        <source>group_members must be a non-empty list of user ids.</source>
        <translation>group_members muss eine nicht leere Liste von Benutzer-IDs sein.</translation>
    </message>
    <message>
        <source>A group has at most 256 members.</source>
        <translation>Eine Gruppe hat höchstens 256 Mitglieder.</translation>
    </message>
    <message>
        <source>group_admins must be a list of member ids.</source>
        <translation>group_admins muss eine Liste von Mitglieds-IDs sein.</translation>
    </message>
    <message>
        <source>Admin %1 is not a member.</source>
        <translation>Admin %1 ist kein Mitglied.</translation>
    </message>
    <message>
        <source>The signed group create does not match the request.</source>
        <translation>Das signierte Erstellen der Gruppe stimmt nicht mit der Anfrage überein.</translation>
    </message>
    <message>
        <source>ttl_msec must be a numeric string.</source>
        <translation>ttl_msec muss eine numerische Zeichenkette sein.</translation>
    </message>
    <message>
        <source>Members can only be added to a group.</source>
        <translation>Mitglieder können nur zu einer Gruppe hinzugefügt werden.</translation>
    </message>
    <message>
        <source>Only a group admin can add members.</source>
        <translation>Nur ein Gruppenadmin kann Mitglieder hinzufügen.</translation>
    </message>
    <message>
        <source>user_ids must be a non-empty list of user ids.</source>
        <translation>user_ids muss eine nicht leere Liste von Benutzer-IDs sein.</translation>
    </message>
    <message>
        <source>User %1 is a member already.</source>
        <translation>Benutzer %1 ist bereits Mitglied.</translation>
    </message>
    <message>
        <source>Adding members needs two action signatures: the key change and the member add.</source>
        <translation>Das Hinzufügen von Mitgliedern benötigt zwei Aktionssignaturen: die Schlüsseländerung und das Hinzufügen der Mitglieder.</translation>
    </message>
    <message>
        <source>The signed member add does not match user_ids.</source>
        <translation>Das signierte Hinzufügen von Mitgliedern stimmt nicht mit user_ids überein.</translation>
    </message>
    <message>
        <source>message_id is required: the client&apos;s UUID for this message.</source>
        <translation>message_id ist erforderlich: die UUID des Clients für diese Nachricht.</translation>
    </message>
    <message>
        <source>message_id %1 is used by another sender.</source>
        <translation>message_id %1 wird von einem anderen Absender verwendet.</translation>
    </message>
    <message>
        <source>encoded_message_create_event is not a base64 Thrift MessageCreateEvent.</source>
        <translation>encoded_message_create_event ist kein base64-kodiertes Thrift-MessageCreateEvent.</translation>
    </message>
    <message>
        <source>Only encrypted messages are allowed: contents and conversation_key_version are required.</source>
        <translation>Nur verschlüsselte Nachrichten sind erlaubt: contents und conversation_key_version sind erforderlich.</translation>
    </message>
    <message>
        <source>The message is too large (at most 256 KiB of ciphertext).</source>
        <translation>Die Nachricht ist zu groß (höchstens 256 KiB Chiffretext).</translation>
    </message>
    <message>
        <source>The conversation has no key version %1.</source>
        <translation>Die Unterhaltung hat keine Schlüsselversion %1.</translation>
    </message>
    <message>
        <source>conversation_token does not belong to this conversation.</source>
        <translation>conversation_token gehört nicht zu dieser Unterhaltung.</translation>
    </message>
    <message>
        <source>encoded_message_event_signature is missing or malformed: messages must be signed.</source>
        <translation>encoded_message_event_signature fehlt oder ist fehlerhaft: Nachrichten müssen signiert sein.</translation>
    </message>
    <message>
        <source>sequence_ids must list at least one sequence id.</source>
        <translation>sequence_ids muss mindestens eine Sequenz-ID enthalten.</translation>
    </message>
    <message>
        <source>delete_message_action must be delete_for_all or delete_for_self.</source>
        <translation>delete_message_action muss delete_for_all oder delete_for_self sein.</translation>
    </message>
    <message>
        <source>Only the sender can delete a message for everyone.</source>
        <translation>Nur der Absender kann eine Nachricht für alle löschen.</translation>
    </message>
    <message>
        <source>The action signature does not describe a delete.</source>
        <translation>Die Aktionssignatur beschreibt kein Löschen.</translation>
    </message>
    <message>
        <source>The signed delete does not match the request.</source>
        <translation>Das signierte Löschen stimmt nicht mit der Anfrage überein.</translation>
    </message>
    <message>
        <source>seen_until_sequence_id must be the sequence id of an event in this conversation.</source>
        <translation>seen_until_sequence_id muss die Sequenz-ID eines Ereignisses in dieser Unterhaltung sein.</translation>
    </message>
    <message>
        <source>conversation_id must be the canonical id (min:max or g…).</source>
        <translation>conversation_id muss die kanonische ID sein (min:max oder g…).</translation>
    </message>
    <message>
        <source>total_bytes must be a whole number of bytes.</source>
        <translation>total_bytes muss eine ganze Zahl von Bytes sein.</translation>
    </message>
    <message>
        <source>The file is too large: at most %1 bytes.</source>
        <translation>Die Datei ist zu groß: höchstens %1 Bytes.</translation>
    </message>
    <message>
        <source>This upload belongs to someone else.</source>
        <translation>Dieser Upload gehört jemand anderem.</translation>
    </message>
    <message>
        <source>The upload session %1 has expired: start the upload again.</source>
        <translation>Die Upload-Sitzung %1 ist abgelaufen: Starte den Upload erneut.</translation>
    </message>
    <message>
        <source>The multipart body is malformed.</source>
        <translation>Der Multipart-Anfragetext ist fehlerhaft.</translation>
    </message>
    <message>
        <source>media is required.</source>
        <translation>media ist erforderlich.</translation>
    </message>
    <message>
        <source>media must be base64 in a JSON body.</source>
        <translation>media muss in einem JSON-Anfragetext base64-kodiert sein.</translation>
    </message>
    <message>
        <source>segment_index must be an integer from 0 to 999.</source>
        <translation>segment_index muss eine ganze Zahl von 0 bis 999 sein.</translation>
    </message>
    <message>
        <source>conversation_id and media_hash_key must be those of the session.</source>
        <translation>conversation_id und media_hash_key müssen die der Sitzung sein.</translation>
    </message>
    <message>
        <source>Segment %1 is out of order: the next segment is %2.</source>
        <translation>Segment %1 kommt außer der Reihe: Das nächste Segment ist %2.</translation>
    </message>
    <message>
        <source>A segment cannot be empty.</source>
        <translation>Ein Segment darf nicht leer sein.</translation>
    </message>
    <message>
        <source>The segments exceed total_bytes (%1).</source>
        <translation>Die Segmente überschreiten total_bytes (%1).</translation>
    </message>
    <message>
        <source>The `id` path parameter value [%1] does not match ^[0-9]{1,19}$</source>
        <translation>Der Wert [%1] des Pfadparameters `id` passt nicht zu ^[0-9]{1,19}$</translation>
    </message>
    <message>
        <source>num_parts must be a numeric string.</source>
        <translation>num_parts muss eine numerische Zeichenkette sein.</translation>
    </message>
    <message>
        <source>The upload is incomplete: %1 of %2 bytes in %3 segments, num_parts %4.</source>
        <translation>Der Upload ist unvollständig: %1 von %2 Bytes in %3 Segmenten, num_parts %4.</translation>
    </message>
    <message>
        <source>The `media_hash_key` path parameter value [%1] does not match ^[a-zA-Z0-9]{1,50}$</source>
        <translation>Der Wert [%1] des Pfadparameters `media_hash_key` passt nicht zu ^[a-zA-Z0-9]{1,50}$</translation>
    </message>
    <message>
        <source>The range is outside the %1 bytes of this media.</source>
        <translation>Der Bereich liegt außerhalb der %1 Bytes dieses Mediums.</translation>
    </message>
    <message>
        <source>Unknown app</source>
        <translation>Unbekannte App</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>Etwas ist schiefgelaufen</translation>
    </message>
    <message>
        <source>The app asking to sign in (client_id “%1”) is not registered with this server.</source>
        <translation>Die App, die sich anmelden möchte (client_id „%1“), ist bei diesem Server nicht registriert.</translation>
    </message>
    <message>
        <source>Bad redirect</source>
        <translation>Ungültige Weiterleitung</translation>
    </message>
    <message>
        <source>The redirect_uri must be a loopback http:// address of the app (for example http://127.0.0.1:PORT/callback).</source>
        <translation>Die redirect_uri muss eine Loopback-Adresse der App mit http:// sein (zum Beispiel http://127.0.0.1:PORT/callback).</translation>
    </message>
    <message>
        <source>response_type must be code</source>
        <translation>response_type muss code sein</translation>
    </message>
    <message>
        <source>state is required</source>
        <translation>state ist erforderlich</translation>
    </message>
    <message>
        <source>scope must list known scopes</source>
        <translation>scope muss bekannte Scopes auflisten</translation>
    </message>
    <message>
        <source>PKCE is required: code_challenge with code_challenge_method=S256</source>
        <translation>PKCE ist erforderlich: code_challenge mit code_challenge_method=S256</translation>
    </message>
    <message>
        <source>This server has no users yet.</source>
        <translation>Dieser Server hat noch keine Benutzer.</translation>
    </message>
    <message>
        <source>Sign in to confab-localserver</source>
        <translation>Bei confab-localserver anmelden</translation>
    </message>
    <message>
        <source>The app %1 wants to use your account. It will be allowed to:</source>
        <translation>Die App %1 möchte dein Konto verwenden und erhält dazu folgende Berechtigungen:</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Authorize app</source>
        <translation>App autorisieren</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>This sign-in page has expired</source>
        <translation>Diese Anmeldeseite ist abgelaufen</translation>
    </message>
    <message>
        <source>Go back to the app and start signing in again.</source>
        <translation>Kehre zur App zurück und starte die Anmeldung erneut.</translation>
    </message>
    <message>
        <source>The user cancelled the sign-in.</source>
        <translation>Der Benutzer hat die Anmeldung abgebrochen.</translation>
    </message>
    <message>
        <source>Choose an account</source>
        <translation>Konto auswählen</translation>
    </message>
    <message>
        <source>Choose an account first.</source>
        <translation>Wähle zuerst ein Konto aus.</translation>
    </message>
    <message>
        <source>The body must be application/x-www-form-urlencoded.</source>
        <translation>Der Anfragetext muss application/x-www-form-urlencoded sein.</translation>
    </message>
    <message>
        <source>Unknown client_id.</source>
        <translation>Unbekannte client_id.</translation>
    </message>
    <message>
        <source>Client authentication failed.</source>
        <translation>Die Client-Authentifizierung ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>The authorization code is not valid.</source>
        <translation>Der Autorisierungscode ist ungültig.</translation>
    </message>
    <message>
        <source>The authorization code was used already.</source>
        <translation>Der Autorisierungscode wurde bereits verwendet.</translation>
    </message>
    <message>
        <source>The authorization code has expired.</source>
        <translation>Der Autorisierungscode ist abgelaufen.</translation>
    </message>
    <message>
        <source>The code was issued to another client.</source>
        <translation>Der Code wurde für einen anderen Client ausgestellt.</translation>
    </message>
    <message>
        <source>redirect_uri does not match.</source>
        <translation>redirect_uri stimmt nicht überein.</translation>
    </message>
    <message>
        <source>The PKCE code_verifier does not match.</source>
        <translation>Der PKCE-code_verifier stimmt nicht überein.</translation>
    </message>
    <message>
        <source>The refresh token is not valid.</source>
        <translation>Das Refresh-Token ist ungültig.</translation>
    </message>
    <message>
        <source>The refresh token was already used; sign in again.</source>
        <translation>Das Refresh-Token wurde bereits verwendet; melde dich erneut an.</translation>
    </message>
    <message>
        <source>The refresh token has expired.</source>
        <translation>Das Refresh-Token ist abgelaufen.</translation>
    </message>
    <message>
        <source>Public clients cannot obtain app-only tokens.</source>
        <translation>Öffentliche Clients können keine reinen App-Token erhalten.</translation>
    </message>
    <message>
        <source>Unsupported grant_type.</source>
        <translation>Nicht unterstützter grant_type.</translation>
    </message>
    <message>
        <source>The `username` path parameter value [%1] does not match ^[A-Za-z0-9_]{1,15}$</source>
        <translation>Der Wert [%1] des Pfadparameters `username` passt nicht zu ^[A-Za-z0-9_]{1,15}$</translation>
    </message>
    <message>
        <source>ids must list 1 to 100 user ids.</source>
        <translation>ids muss 1 bis 100 Benutzer-IDs enthalten.</translation>
    </message>
    <message>
        <source>The `ids` query parameter value [%1] is not a user id.</source>
        <translation>Der Wert [%1] des Abfrageparameters `ids` ist keine Benutzer-ID.</translation>
    </message>
    <message>
        <source>You can only register your own keys.</source>
        <translation>Du kannst nur deine eigenen Schlüssel registrieren.</translation>
    </message>
    <message>
        <source>public_key and version are required.</source>
        <translation>public_key und version sind erforderlich.</translation>
    </message>
    <message>
        <source>public_key and signing_public_key must be base64 P-256 keys (SPKI).</source>
        <translation>public_key und signing_public_key müssen base64-kodierte P-256-Schlüssel (SPKI) sein.</translation>
    </message>
    <message>
        <source>identity_public_key_signature does not verify: the signing key must sign the identity key.</source>
        <translation>identity_public_key_signature lässt sich nicht verifizieren: Der Signaturschlüssel muss den Identitätsschlüssel signieren.</translation>
    </message>
    <message>
        <source>signing_public_key_signature does not verify.</source>
        <translation>signing_public_key_signature lässt sich nicht verifizieren.</translation>
    </message>
    <message>
        <source>public_key_fingerprint does not match the identity key.</source>
        <translation>public_key_fingerprint passt nicht zum Identitätsschlüssel.</translation>
    </message>
    <message>
        <source>version must be a millisecond timestamp.</source>
        <translation>version muss ein Zeitstempel in Millisekunden sein.</translation>
    </message>
    <message>
        <source>Public key version %1 exists with other keys.</source>
        <translation>Die Version %1 des öffentlichen Schlüssels existiert bereits mit anderen Schlüsseln.</translation>
    </message>
    <message>
        <source>Could not store the key.</source>
        <translation>Der Schlüssel konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>Could not open the server database.</source>
        <translation>Die Serverdatenbank konnte nicht geöffnet werden.</translation>
    </message>
    <message>
        <source>Could not create the server database.</source>
        <translation>Die Serverdatenbank konnte nicht erstellt werden.</translation>
    </message>
    <message>
        <source>Could not listen on %1 port %2.</source>
        <translation>Auf %1, Port %2 konnte nicht gelauscht werden.</translation>
    </message>
    <message>
        <source>There is no such endpoint.</source>
        <translation>Diesen Endpunkt gibt es nicht.</translation>
    </message>
    <message>
        <source>Method %1 is not allowed here.</source>
        <translation>Die Methode %1 ist hier nicht erlaubt.</translation>
    </message>
    <message>
        <source>The request body is %1 bytes; the limit is %2.</source>
        <translation>Der Anfragetext ist %1 Bytes groß; das Limit liegt bei %2.</translation>
    </message>
    <message>
        <source>Injected fault.</source>
        <translation>Absichtlich ausgelöster Fehler.</translation>
    </message>
    <message>
        <source>This endpoint needs a different kind of token (%1).</source>
        <translation>Dieser Endpunkt benötigt eine andere Art von Token (%1).</translation>
    </message>
    <message>
        <source>app-only Bearer</source>
        <translation>reines App-Bearer-Token</translation>
    </message>
    <message>
        <source>OAuth 2.0 user context</source>
        <translation>OAuth-2.0-Benutzerkontext</translation>
    </message>
    <message>
        <source>The access token is missing, invalid, expired or revoked.</source>
        <translation>Das Zugriffstoken fehlt, ist ungültig, abgelaufen oder widerrufen.</translation>
    </message>
    <message>
        <source>The token lacks the %1 scope this endpoint needs.</source>
        <translation>Dem Token fehlt der Scope %1, den dieser Endpunkt benötigt.</translation>
    </message>
    <message>
        <source>Could not find %1 with id: [%2].</source>
        <translation>%1 mit der ID [%2] wurde nicht gefunden.</translation>
    </message>
    <message>
        <source>A username is 1 to 15 letters, digits or underscores.</source>
        <translation>Ein Benutzername besteht aus 1 bis 15 Buchstaben, Ziffern oder Unterstrichen.</translation>
    </message>
    <message>
        <source>A name is 1 to 50 characters.</source>
        <translation>Ein Name hat 1 bis 50 Zeichen.</translation>
    </message>
    <message>
        <source>The username %1 is taken.</source>
        <translation>Der Benutzername %1 ist bereits vergeben.</translation>
    </message>
    <message>
        <source>Could not store the user.</source>
        <translation>Der Benutzer konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>There is no user %1.</source>
        <translation>Es gibt keinen Benutzer %1.</translation>
    </message>
    <message>
        <source>Could not store the token.</source>
        <translation>Das Token konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>Could not store the client.</source>
        <translation>Der Client konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>The `max_results` query parameter value [%1] is not between 1 and %2</source>
        <translation>Der Wert [%1] des Abfrageparameters `max_results` liegt nicht zwischen 1 und %2</translation>
    </message>
    <message>
        <source>The `%1` query parameter value [%2] is not one of [%3]</source>
        <translation>Der Wert [%2] des Abfrageparameters `%1` ist keiner von [%3]</translation>
    </message>
    <message>
        <source>The `%1` query parameter contains [%2] twice</source>
        <translation>Der Abfrageparameter `%1` enthält [%2] doppelt</translation>
    </message>
</context>
<context>
    <name>confab::media</name>
    <message>
        <source>Confab could not keep the downloaded file.</source>
        <translation>Confab konnte die heruntergeladene Datei nicht behalten.</translation>
    </message>
    <message>
        <source>Confab could not read the downloaded file.</source>
        <translation>Confab konnte die heruntergeladene Datei nicht lesen.</translation>
    </message>
    <message>
        <source>This attachment is too large to open here (%1 MB). Save it to open it with another app.</source>
        <translation>Dieser Anhang ist zu groß, um ihn hier zu öffnen (%1 MB). Speichere ihn, um ihn mit einer anderen App zu öffnen.</translation>
    </message>
    <message>
        <source>This attachment could not be decrypted (it is damaged or incomplete).</source>
        <translation>Dieser Anhang konnte nicht entschlüsselt werden (er ist beschädigt oder unvollständig).</translation>
    </message>
    <message>
        <source>This attachment is not a picture Confab shows.</source>
        <translation>Dieser Anhang ist kein Bild, das Confab anzeigt.</translation>
    </message>
    <message>
        <source>This picture is damaged.</source>
        <translation>Dieses Bild ist beschädigt.</translation>
    </message>
    <message>
        <source>This picture is too large to show (%1 × %2 pixels).</source>
        <translation>Dieses Bild ist zu groß zum Anzeigen (%1 × %2 Pixel).</translation>
    </message>
    <message>
        <source>This attachment is not available.</source>
        <translation>Dieser Anhang ist nicht verfügbar.</translation>
    </message>
    <message>
        <source>%1 is not there any more.</source>
        <translation>%1 ist nicht mehr vorhanden.</translation>
    </message>
    <message>
        <source>%1 is a folder: only files can be sent.</source>
        <translation>%1 ist ein Ordner: Nur Dateien können gesendet werden.</translation>
    </message>
    <message>
        <source>%1 cannot be read.</source>
        <translation>%1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>%1 is empty.</source>
        <translation>%1 ist leer.</translation>
    </message>
    <message>
        <source>%1 is too large to send: files can have at most 200 MB.</source>
        <translation>%1 ist zu groß zum Senden: Dateien dürfen höchstens 200 MB groß sein.</translation>
    </message>
    <message>
        <source>The clipboard holds no picture.</source>
        <translation>In der Zwischenablage ist kein Bild.</translation>
    </message>
    <message>
        <source>The picture could not be prepared for sending.</source>
        <translation>Das Bild konnte nicht zum Senden vorbereitet werden.</translation>
    </message>
    <message>
        <source>The picture is too large to send: at most 200 MB.</source>
        <translation>Das Bild ist zu groß zum Senden: höchstens 200 MB.</translation>
    </message>
    <message>
        <source>Confab could not keep the picture until it is sent.</source>
        <translation>Confab konnte das Bild nicht bis zum Senden aufbewahren.</translation>
    </message>
    <message>
        <source>The file is not there any more.</source>
        <translation>Die Datei ist nicht mehr vorhanden.</translation>
    </message>
    <message>
        <source>The file is too large to open here.</source>
        <translation>Die Datei ist zu groß, um sie hier zu öffnen.</translation>
    </message>
    <message>
        <source>The file could not be read.</source>
        <translation>Die Datei konnte nicht gelesen werden.</translation>
    </message>
    <message>
        <source>Confab could not make a copy of the file.</source>
        <translation>Confab konnte keine Kopie der Datei anlegen.</translation>
    </message>
</context>
<context>
    <name>confab::media::MediaLoader</name>
    <message>
        <source>This attachment is not available.</source>
        <translation>Dieser Anhang ist nicht verfügbar.</translation>
    </message>
    <message>
        <source>Confab could not save the download.</source>
        <translation>Confab konnte den Download nicht speichern.</translation>
    </message>
    <message>
        <source>This attachment is still on its way out.</source>
        <translation>Dieser Anhang wird noch gesendet.</translation>
    </message>
    <message>
        <source>This picture is not available.</source>
        <translation>Dieses Bild ist nicht verfügbar.</translation>
    </message>
</context>
<context>
    <name>confab::models::AccountsModel</name>
    <message>
        <source>Signed out</source>
        <translation>Abgemeldet</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <source>Updating…</source>
        <translation>Wird aktualisiert…</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Offline, trying again</source>
        <translation>Offline, neuer Versuch läuft</translation>
    </message>
    <message>
        <source>Paused by the service, trying again soon</source>
        <translation>Vom Dienst pausiert, gleich neuer Versuch</translation>
    </message>
    <message>
        <source>Sign-in required</source>
        <translation>Anmeldung erforderlich</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Braucht Aufmerksamkeit</translation>
    </message>
</context>
<context>
    <name>confab::models::ConversationListModel</name>
    <message>
        <source>Message deleted</source>
        <translation>Nachricht gelöscht</translation>
    </message>
    <message>
        <source>Attachment</source>
        <translation>Anhang</translation>
    </message>
    <message>
        <source>You: %1</source>
        <translation>Du: %1</translation>
    </message>
</context>
<context>
    <name>confab::models::MessageListModel</name>
    <message>
        <source>You</source>
        <translation>Du</translation>
    </message>
</context>
<context>
    <name>confab::models::modeltext</name>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 schreibt…</translation>
    </message>
    <message>
        <source>%1 and %2 are typing…</source>
        <translation>%1 und %2 schreiben…</translation>
    </message>
</context>
<context>
    <name>confab::notify::MessageNotifier</name>
    <message>
        <source>Someone</source>
        <translation>Jemand</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>Neue Nachricht</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation>Sprachnachricht</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>1 earlier message</source>
        <translation>1 frühere Nachricht</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier messages</source>
        <translation>
            <numerusform>%n frühere Nachricht</numerusform>
            <numerusform>%n frühere Nachrichten</numerusform>
        </translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>Mark as read</source>
        <translation>Als gelesen markieren</translation>
    </message>
    <message>
        <source>Reply to %1</source>
        <translation>%1 antworten</translation>
    </message>
</context>
<context>
    <name>confab::secrets</name>
    <message>
        <source>The secrets file is damaged.</source>
        <translation>Die Datei mit den geheimen Daten ist beschädigt.</translation>
    </message>
    <message>
        <source>No keychain is available. Install and start a Secret Service keychain (GNOME Keyring, KWallet or KeePassXC with Secret Service integration), then restart Confab.</source>
        <translation>Es ist kein Schlüsselbund verfügbar. Installiere und starte einen Schlüsselbund, der Secret Service unterstützt (GNOME Keyring, KWallet oder KeePassXC mit aktivierter Integration für Secret Service), und starte Confab dann neu.</translation>
    </message>
    <message>
        <source>The keychain refused access. Unlock your keyring (it usually unlocks when you log in) and allow Confab to use it.</source>
        <translation>Der Schlüsselbund hat den Zugriff verweigert. Entsperre deinen Schlüsselbund (meist geschieht das bei der Anmeldung am System) und erlaube Confab, ihn zu verwenden.</translation>
    </message>
    <message>
        <source>This system&apos;s keychain cannot store Confab&apos;s secrets.</source>
        <translation>Der Schlüsselbund dieses Systems kann die geheimen Daten von Confab nicht speichern.</translation>
    </message>
    <message>
        <source>An entry could not be removed from the keychain.</source>
        <translation>Ein Eintrag konnte nicht aus dem Schlüsselbund entfernt werden.</translation>
    </message>
    <message>
        <source>The keychain did not work: it may be locked or not running. Unlock it or restart your session, then try again.</source>
        <translation>Der Schlüsselbund hat nicht funktioniert: Er ist möglicherweise gesperrt oder läuft nicht. Entsperre ihn oder starte deine Sitzung neu und versuche es dann noch einmal.</translation>
    </message>
    <message>
        <source>The keychain did not answer. If it asks to be unlocked, unlock it; otherwise restart it.</source>
        <translation>Der Schlüsselbund hat nicht geantwortet. Wenn er darum bittet, entsperrt zu werden, entsperre ihn; andernfalls starte ihn neu.</translation>
    </message>
    <message>
        <source>memory only (forgotten when Confab quits)</source>
        <translation>nur im Arbeitsspeicher (vergessen, sobald Confab beendet wird)</translation>
    </message>
    <message>
        <source>Secrets are already kept persistently.</source>
        <translation>Geheime Daten werden bereits dauerhaft aufbewahrt.</translation>
    </message>
</context>
<context>
    <name>confab::secrets::FileSecretStore</name>
    <message>
        <source>The secrets file cannot be read.</source>
        <translation>Die Datei mit den geheimen Daten kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>a file protected by your passphrase</source>
        <translation>in einer durch deine Passphrase geschützten Datei</translation>
    </message>
    <message>
        <source>The secrets file could not be saved.</source>
        <translation>Die Datei mit den geheimen Daten konnte nicht gespeichert werden.</translation>
    </message>
</context>
<context>
    <name>confab::secrets::KeychainSecretStore</name>
    <message>
        <source>the system keychain</source>
        <translation>im Schlüsselbund des Systems</translation>
    </message>
</context>
<context>
    <name>confab::secrets::LoopbackReceiver</name>
    <message>
        <source>Signing in could not start.</source>
        <translation>Die Anmeldung konnte nicht gestartet werden.</translation>
    </message>
    <message>
        <source>Confab could not wait for your browser to come back from signing in: no local port is free. Close some programs and try again.</source>
        <translation>Confab konnte nicht auf die Rückkehr deines Browsers von der Anmeldung warten: Es ist kein lokaler Port frei. Schließe einige Programme und versuche es noch einmal.</translation>
    </message>
    <message>
        <source>You are signed in to Confab.</source>
        <translation>Du bist bei Confab angemeldet.</translation>
    </message>
    <message>
        <source>You can close this tab.</source>
        <translation>Du kannst diesen Tab schließen.</translation>
    </message>
    <message>
        <source>You can close this tab and go back to Confab to try again.</source>
        <translation>Du kannst diesen Tab schließen und zu Confab zurückkehren, um es noch einmal zu versuchen.</translation>
    </message>
    <message>
        <source>Request too large</source>
        <translation>Anfrage zu groß</translation>
    </message>
    <message>
        <source>This address only takes the answer of a sign-in.</source>
        <translation>Diese Adresse nimmt nur die Antwort einer Anmeldung entgegen.</translation>
    </message>
    <message>
        <source>This address only takes your browser coming back from signing in to Confab.</source>
        <translation>Diese Adresse ist nur für die Rückkehr deines Browsers nach der Anmeldung bei Confab da.</translation>
    </message>
    <message>
        <source>Bad request</source>
        <translation>Ungültige Anfrage</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message>
        <source>Not allowed</source>
        <translation>Nicht erlaubt</translation>
    </message>
    <message>
        <source>Nothing to do here</source>
        <translation>Hier gibt es nichts zu tun</translation>
    </message>
    <message>
        <source>Already answered</source>
        <translation>Bereits beantwortet</translation>
    </message>
    <message>
        <source>Confab already received the answer of this sign-in. You can close this tab.</source>
        <translation>Confab hat die Antwort dieser Anmeldung bereits erhalten. Du kannst diesen Tab schließen.</translation>
    </message>
</context>
<context>
    <name>confab::secrets::OAuthClient</name>
    <message>
        <source>Your sign-in has ended. Sign in again to keep using this account.</source>
        <translation>Deine Anmeldung ist beendet. Melde dich erneut an, um dieses Konto weiter zu verwenden.</translation>
    </message>
</context>
<context>
    <name>confab::secrets::OAuthSignIn</name>
    <message>
        <source>This sign-in has already run. Start a new one.</source>
        <translation>Diese Anmeldung wurde bereits ausgeführt. Starte eine neue.</translation>
    </message>
    <message>
        <source>Confab could not open your web browser to sign in. Set up a default web browser in your system settings, then try again.</source>
        <translation>Confab konnte deinen Webbrowser für die Anmeldung nicht öffnen. Richte in deinen Systemeinstellungen einen Standard-Webbrowser ein und versuche es dann noch einmal.</translation>
    </message>
    <message>
        <source>The sign-in was not finished in time. Start it again when you are ready.</source>
        <translation>Die Anmeldung wurde nicht rechtzeitig abgeschlossen. Starte sie erneut, wenn du bereit bist.</translation>
    </message>
    <message>
        <source>The sign-in answer did not come from this sign-in. Try again.</source>
        <translation>Die Antwort stammt nicht von dieser Anmeldung. Versuche es noch einmal.</translation>
    </message>
    <message>
        <source>This answer is not from your sign-in</source>
        <translation>Diese Antwort stammt nicht von deiner Anmeldung</translation>
    </message>
    <message>
        <source>You cancelled the sign-in.</source>
        <translation>Du hast die Anmeldung abgebrochen.</translation>
    </message>
    <message>
        <source>The sign-in did not work: “%1”. Try again.</source>
        <translation>Die Anmeldung hat nicht funktioniert: „%1“. Versuche es noch einmal.</translation>
    </message>
    <message>
        <source>Signing in did not work</source>
        <translation>Anmeldung fehlgeschlagen</translation>
    </message>
    <message>
        <source>The browser came back without a sign-in code. Try again.</source>
        <translation>Der Browser ist ohne Anmeldecode zurückgekehrt. Versuche es noch einmal.</translation>
    </message>
</context>
<context>
    <name>confab::secrets::OAuthTokenProvider</name>
    <message>
        <source>Your sign-in has ended. Sign in again to keep using this account.</source>
        <translation>Deine Anmeldung ist beendet. Melde dich erneut an, um dieses Konto weiter zu verwenden.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
</context>
<context>
    <name>confab::xchat</name>
    <message>
        <source>There is no one called @%1 on X.</source>
        <translation>Auf X gibt es niemanden namens @%1.</translation>
    </message>
    <message>
        <source>This attachment has no valid media key.</source>
        <translation>Dieser Anhang hat keinen gültigen Medienschlüssel.</translation>
    </message>
    <message>
        <source>%1 changed after it was chosen. Remove the message and send the file again.</source>
        <translation>%1 hat sich nach der Auswahl geändert. Entferne die Nachricht und sende die Datei noch einmal.</translation>
    </message>
    <message>
        <source>%1 can no longer be read. Remove the message and send the file again.</source>
        <translation>%1 kann nicht mehr gelesen werden. Entferne die Nachricht und sende die Datei noch einmal.</translation>
    </message>
    <message>
        <source>%1 could not be read.</source>
        <translation>%1 konnte nicht gelesen werden.</translation>
    </message>
</context>
<context>
    <name>confab::xchat::XChatAccount</name>
    <message numerus="yes">
        <source>%n message(s) from X could not be read.</source>
        <translation>
            <numerusform>%n Nachricht von X konnte nicht gelesen werden.</numerusform>
            <numerusform>%n Nachrichten von X konnten nicht gelesen werden.</numerusform>
        </translation>
    </message>
    <message>
        <source>There is nothing to send.</source>
        <translation>Es gibt nichts zu senden.</translation>
    </message>
    <message>
        <source>At most 10 files go in one message.</source>
        <translation>In eine Nachricht passen höchstens 10 Dateien.</translation>
    </message>
    <message>
        <source>%1 is too large to send: files can have at most 200 MB.</source>
        <translation>%1 ist zu groß zum Senden: Dateien dürfen höchstens 200 MB groß sein.</translation>
    </message>
    <message>
        <source>%1 cannot be read.</source>
        <translation>%1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>Several files go in one message only when all are pictures or videos. Send the others one at a time.</source>
        <translation>Mehrere Dateien passen nur in eine Nachricht, wenn alle Bilder oder Videos sind. Sende die anderen einzeln.</translation>
    </message>
    <message>
        <source>The upload was cancelled.</source>
        <translation>Das Hochladen wurde abgebrochen.</translation>
    </message>
    <message>
        <source>The conversation&apos;s key changed; the files are sent again.</source>
        <translation>Der Schlüssel der Unterhaltung hat sich geändert; die Dateien werden noch einmal gesendet.</translation>
    </message>
</context>
</TS>
