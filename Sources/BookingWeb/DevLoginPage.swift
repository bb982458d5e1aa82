import Access
import Foundation

/// The demo login page of `almanac dev`: pick a person and some of their roles, get a token
/// from the dev issuer, keep it in the browser's local storage and go to the booking page.
/// Self-contained (no external assets).
enum DevLoginPage {
    static func html(people: [DemoPerson]) -> String {
        let rows = people.map { person in
            let roles = person.roles.sorted().map { role in
                #"<label><input type="checkbox" name="role" value="\#(role.rawValue)" checked> \#(role.rawValue)</label>"#
            }.joined(separator: " ")
            return """
            <li data-subject="\(escape(person.subject))"><strong>\(escape(person.name))</strong> <small>\(escape(person.summary))</small>
            <div>\(roles)</div><button type="button" class="login">Sign in as \(escape(person.name))</button></li>
            """
        }.joined(separator: "\n")
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Almanac demo login</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;line-height:1.4}
        ul{list-style:none;padding:0}li{border:1px solid #ccc;border-radius:.5rem;padding:.75rem;margin:.5rem 0}
        button{margin-top:.5rem;padding:.5rem 1rem;font-size:1rem}small{display:block;color:#555}
        #error{color:#a00}
        </style></head><body>
        <h1>Almanac demo login</h1>
        <p>This local issuer is for trying Almanac out. Pick a person and the roles to sign in with.</p>
        <p id="error" role="alert"></p>
        <ul id="people">
        \(rows)
        </ul>
        <script>
        document.querySelectorAll('button.login').forEach(function (button) {
          button.addEventListener('click', async function () {
            var item = button.closest('li');
            var roles = Array.from(item.querySelectorAll('input[name=role]:checked')).map(function (box) { return box.value; });
            var response = await fetch('/login/token', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({subject: item.dataset.subject, roles: roles})});
            var body = await response.json();
            if (!response.ok) { document.getElementById('error').textContent = body.detail; return; }
            localStorage.setItem('almanac.token', body.token);
            localStorage.setItem('almanac.name', body.name);
            location.href = '/';
          });
        });
        </script></body></html>
        """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
