"""Share links and previews: canonical URLs, Open Graph / Twitter meta and their images.

Public pages (consultation, article, results) call `share_meta` from their `head` block
(templates/_macros/share.html); the image each names is drawn here (`cards`) and served at
`.../imagem.png?v=<digest>`, the digest of what it shows, so a changed title or count is a new URL.
"""

from flask import Blueprint

bp = Blueprint("share", __name__)

from consulta.share import views  # noqa: E402  (routes attach to bp)

bp.add_app_template_global(views.absolute_url, "absolute_url")
bp.add_app_template_global(views.canonical_url, "canonical_url")
bp.add_app_template_global(views.share_image_url, "share_image_url")
bp.add_app_template_global(views.share_description, "share_description")
