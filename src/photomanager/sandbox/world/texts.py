"""The words of the demo world: each deviation's language, description and tags.

Everything here is drawn from an rng of its own, derived from the deviation id
(`random.Random("meta:" + deviationid)`), never from the world's shared rng:
adding or changing these texts never changes the ids, titles, authors or
traits a seed already produces.

Languages: English for about half the deviations, the rest spread evenly over
ru, es, pt, de, fr, ja, zh, it and pl. A description is one or two sentences
in that language, written as DeviantArt sends it: HTML with `<br />`, `<b>`,
links and entities, sometimes empty, and now and then a hostile `<script>`.

Tags follow DeviantArt's form (lower case, letters, digits, underscore; other
scripts allowed): one for the category, a few common ones shared across
languages (`watercolor`, `illustration`, `landscape`, `portrait`...), and
one or two of the description's language (`acuarela`, `aquarela`, `акварель`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ENGLISH_SHARE = 0.5
OTHER_LANGUAGES = ("ru", "es", "pt", "de", "fr", "ja", "zh", "it", "pl")

_SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "Spent the whole weekend on this one, mostly fighting with the light on the water.",
        "A quick study of evening light over the old harbor, painted from memory.",
        "My original character finally got a proper portrait. Critique is welcome!",
        "Watercolor on cold press paper, about two hours from sketch to the last wash.",
        "Tried a new brush set for the clouds and I think it worked out nicely.",
        "Commission for a friend who loves foxes and autumn forests.",
        "Fan art of my favourite series, drawn on a rainy afternoon.",
    ),
    "ru": (
        "Рисовала этот пейзаж всю неделю, больше всего времени ушло на воду.",
        "Быстрый этюд вечернего света над старой гаванью, по памяти.",
        "Мой персонаж наконец получил нормальный портрет. Критика приветствуется!",
        "Акварель на хлопковой бумаге, около двух часов от наброска до последней заливки.",
        "Попробовала новые кисти для облаков, и, кажется, получилось неплохо.",
        "Подарок для подруги, которая очень любит лис и осенний лес.",
        "Фанарт по любимому сериалу, нарисованный в дождливый вечер.",
    ),
    "es": (
        "Pasé todo el fin de semana con este cuadro, sobre todo peleando con la luz del agua.",
        "Un estudio rápido de la luz de la tarde sobre el viejo puerto, pintado de memoria.",
        "Mi personaje original por fin tiene un retrato como se merece. ¡Se aceptan críticas!",
        "Acuarela sobre papel de grano fino, unas dos horas desde el boceto hasta el final.",
        "Probé unos pinceles nuevos para las nubes y creo que quedaron bastante bien.",
        "Encargo para una amiga a la que le encantan los zorros y los bosques en otoño.",
        "Fanart de mi serie favorita, dibujado en una tarde de lluvia.",
    ),
    "pt": (
        "Passei o fim de semana inteiro nesse desenho, principalmente brigando com a luz na água.",
        "Um estudo rápido da luz do fim de tarde sobre o velho porto, pintado de memória.",
        "Minha personagem original finalmente ganhou um retrato decente. Críticas são bem-vindas!",
        "Aquarela em papel de algodão, umas duas horas do esboço até a última camada.",
        "Testei pincéis novos para as nuvens e acho que ficou muito bonito.",
        "Encomenda para uma amiga que adora raposas e florestas no outono.",
        "Fanart da minha série favorita, feita numa tarde chuvosa.",
    ),
    "de": (
        "Ich habe das ganze Wochenende an diesem Bild gesessen, vor allem am Licht auf dem Wasser.",
        "Eine schnelle Studie des Abendlichts über dem alten Hafen, aus dem Gedächtnis gemalt.",
        "Mein eigener Charakter hat endlich ein richtiges Porträt bekommen. Kritik ist willkommen!",
        "Aquarell auf Büttenpapier, etwa zwei Stunden von der Skizze bis zur letzten Lasur.",
        "Ich habe neue Pinsel für die Wolken ausprobiert und bin ziemlich zufrieden damit.",
        "Auftragsarbeit für eine Freundin, die Füchse und herbstliche Wälder liebt.",
        "Fanart zu meiner Lieblingsserie, an einem verregneten Nachmittag gezeichnet.",
    ),
    "fr": (
        "J'ai passé le week-end sur ce tableau, surtout à me battre avec les reflets sur l'eau.",
        "Une étude rapide de la lumière du soir sur le vieux port, peinte de mémoire.",
        "Mon personnage original a enfin droit à un vrai portrait. Les critiques sont bienvenues !",
        "Aquarelle sur papier grain fin, environ deux heures entre le croquis et le dernier lavis.",
        "J'ai essayé de nouveaux pinceaux pour les nuages et je trouve que ça rend plutôt bien.",
        "Commande pour une amie qui adore les renards et les forêts en automne.",
        "Fanart de ma série préférée, dessiné pendant un après-midi pluvieux.",
    ),
    "ja": (
        "週末をまるごと使って描きました。水面の光がいちばん難しかったです。",
        "古い港の夕暮れの光を、記憶を頼りに手早くスケッチしました。",
        "うちの子の立ち絵をやっと描けました。感想やアドバイスをいただけると嬉しいです！",
        "水彩紙に透明水彩で、下描きから仕上げまで二時間くらいです。",
        "雲を描くために新しいブラシを試してみたら、思ったよりうまくいきました。",
        "キツネと秋の森が大好きな友人への誕生日プレゼントです。",
        "大好きな作品のファンアートです。雨の日の午後に描きました。",
    ),
    "zh": (
        "整个周末都在画这张，最难的是水面上的光。",
        "凭记忆画的一张小练习：老港口傍晚的光线。",
        "终于给我的原创角色画了一张正式的立绘，欢迎大家提意见！",
        "水彩纸上的透明水彩，从草稿到完成大约两个小时。",
        "试了一套新的笔刷来画云，效果比想象中好。",
        "送给一位喜欢狐狸和秋天森林的朋友的礼物。",
        "我最喜欢的动画的同人图，在一个下雨的下午画的。",
    ),
    "it": (
        "Ho passato tutto il fine settimana su questo quadro, soprattutto con la luce sull'acqua.",
        "Un rapido studio della luce della sera sul vecchio porto, dipinto a memoria.",
        "Il mio personaggio originale ha finalmente un ritratto come si deve. Critiche benvenute!",
        "Acquerello su carta a grana fine, circa due ore dallo schizzo alla velatura finale.",
        "Ho provato dei pennelli nuovi per le nuvole e mi sembra che il risultato sia buono.",
        "Commissione per un'amica che adora le volpi e i boschi in autunno.",
        "Fanart della mia serie preferita, disegnata in un pomeriggio di pioggia.",
    ),
    "pl": (
        "Cały weekend spędziłam nad tym obrazem, najdłużej walczyłam ze światłem na wodzie.",
        "Szybkie studium wieczornego światła nad starym portem, malowane z pamięci.",
        "Moja autorska postać w końcu doczekała się porządnego portretu. Krytyka mile widziana!",
        "Akwarela na papierze o drobnym ziarnie, około dwóch godzin od szkicu do końca.",
        "Wypróbowałam nowe pędzle do chmur i chyba wyszło całkiem nieźle.",
        "Zamówienie dla przyjaciółki, która uwielbia lisy i jesienne lasy.",
        "Fanart mojego ulubionego serialu, narysowany w deszczowe popołudnie.",
    ),
}

_LANGUAGE_TAGS: dict[str, tuple[str, ...]] = {
    "en": ("art", "commission", "speedpaint", "wip", "cute", "traditional_media"),
    "ru": ("акварель", "рисунок", "akvarel", "risunok", "живопись"),
    "es": ("acuarela", "dibujo", "arte", "ilustracion", "pintura"),
    "pt": ("aquarela", "desenho", "arte", "ilustracao", "pintura_digital"),
    "de": ("aquarell", "zeichnung", "kunst", "malerei"),
    "fr": ("aquarelle", "dessin", "peinture", "art_numerique"),
    "ja": ("イラスト", "水彩", "オリジナル", "rakugaki"),
    "zh": ("插画", "水彩", "原创", "huihua"),
    "it": ("acquerello", "disegno", "pittura", "arte"),
    "pl": ("akwarela", "rysunek", "sztuka", "malarstwo"),
}

# Shared by many deviations whatever their language: a tag feed on one of these
# has dozens of results in the demo world (the probability each is drawn).
COMMON_TAGS: dict[str, float] = {
    "watercolor": 0.15,
    "illustration": 0.2,
    "landscape": 0.15,
    "portrait": 0.15,
    "fantasy": 0.15,
    "drawing": 0.12,
    "originalcharacter": 0.1,
    "sketch": 0.1,
    "digital_art": 0.05,
}

_CATEGORY_TAGS = {
    "Digital Art": "digitalart",
    "Traditional Art": "traditionalart",
    "Photography": "photography",
    "Fan Art": "fanart",
    "Anime & Manga": "anime",
    "Pixel Art": "pixelart",
}

_LINKS = (
    '<a href="https://www.deviantart.com/users/outgoing?https://ko-fi.com/example">'
    "ko-fi.com/example</a>",
    '<a href="https://www.deviantart.com/tag/watercolor" rel="nofollow">#watercolor</a>',
    '<a class="external" href="https://www.deviantart.com/users/outgoing?'
    'https://example.com/shop?a=1&amp;b=2">example.com/shop</a>',
)
_ENTITIES = ("&hearts;", "&lt;3", "&#9829;", "&quot;&hellip;&quot;", "&copy; 2025", "&amp;")
_HOSTILE = (
    "<script>alert('description')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
)


@dataclass(frozen=True, slots=True)
class DeviationTexts:
    """What a deviation says about itself beyond its title."""

    language: str
    description: str
    tags: tuple[str, ...]


def texts_for(deviationid: str, category: str) -> DeviationTexts:
    """The deterministic language, description and tags of one deviation."""
    rng = random.Random("meta:" + deviationid)
    language = "en" if rng.random() < ENGLISH_SHARE else rng.choice(OTHER_LANGUAGES)
    return DeviationTexts(
        language=language,
        description=_description(rng, language),
        tags=_tags(rng, language, category),
    )


def _description(rng: random.Random, language: str) -> str:
    first, second = rng.sample(_SENTENCES[language], 2)
    roll = rng.random()
    if roll < 0.05:
        return ""
    if roll < 0.25:
        return first
    if roll < 0.45:
        return f"{first}<br /><br />{second}"
    if roll < 0.6:
        return f"<b>{first}</b><br />{second}"
    if roll < 0.75:
        return f"{first}<br /><br />{rng.choice(_LINKS)}"
    if roll < 0.95:
        return f"{first} {rng.choice(_ENTITIES)}<br />{second}"
    return f"{first}<br />{rng.choice(_HOSTILE)}"


def _tags(rng: random.Random, language: str, category: str) -> tuple[str, ...]:
    tags: list[str] = []
    if category in _CATEGORY_TAGS:
        tags.append(_CATEGORY_TAGS[category])
    tags += [tag for tag, share in COMMON_TAGS.items() if rng.random() < share]
    own = _LANGUAGE_TAGS[language]
    tags += rng.sample(own, rng.randint(0, 2))
    return tuple(dict.fromkeys(tags))
