"""The accessibility page: choose high contrast and larger text; the choice is kept in a cookie."""

from flask import current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField

from consulta.accessibility import bp, preferences
from consulta.web import safe_next


class PreferencesForm(FlaskForm):
    """High contrast and larger text, plus the page to go back to."""

    contrast = BooleanField()
    larger_text = BooleanField()
    next = HiddenField()


@bp.route("/acessibilidade", methods=["GET", "POST"])
def preferences_page():
    """Show the display preferences; a POST stores them in a cookie and goes back to the reader's page."""
    chosen = preferences.chosen()
    form = PreferencesForm(data={"contrast": "contraste" in chosen, "larger_text": "fonte" in chosen,
                                 "next": request.args.get("next", "")})
    back = safe_next(request.values.get("next"), url_for("consultations.home"))
    if form.validate_on_submit():
        response = make_response(redirect(back, 303))
        value = preferences.cookie_value(form.contrast.data, form.larger_text.data)
        if value:
            response.set_cookie(preferences.COOKIE, value, max_age=preferences.MAX_AGE, httponly=True,
                                samesite="Lax", secure=bool(current_app.config["SECURE_COOKIES"]))
        else:
            response.delete_cookie(preferences.COOKIE, samesite="Lax", httponly=True)
        if not current_user.is_authenticated and set(session.keys()) <= {"csrf_token", "_fresh"}:
            # An anonymous reader's session held only this form's token: drop it, so their next pages come
            # from the shared anonymous cache again (under the key of their preferences).
            session.clear()
        return response
    status = 422 if request.method == "POST" else 200
    return render_template("accessibility/preferences.html", form=form, back=back,
                           title=_("Acessibilidade")), status
