"""The 25 topics as the data migration loads them.

Titles and content areas follow DOMAIN.md. Summaries and goals are the project's own
plain-language words; nothing here is taken from the Seeking Safety book.
"""

CONTENT_AREAS = [
    ("cognitive", "Cognitive", "Ways of thinking that support safety and recovery.", 1),
    ("behavioral", "Behavioral", "Actions and habits that build safety day to day.", 2),
    ("interpersonal", "Interpersonal", "Relationships, support and community.", 3),
    ("combination", "Combination", "Topics that span areas and include case management.", 4),
]

# (order, title, slug, area, includes case management, summary, goals)
TOPICS = [
    (
        1,
        "Introduction/Case Management",
        "introduction-case-management",
        "combination",
        True,
        "We get to know how the group works and what help you may need outside it, "
        "like housing, health care or legal help.",
        "Learn how sessions work\nName the practical help you need now\nMake a first plan",
    ),
    (
        2,
        "Safety",
        "safety",
        "combination",
        True,
        "Safety comes first. We look at what keeps you safe and what puts you at risk, "
        "and pick safe ways to cope.",
        "Notice what feels safe and unsafe\nChoose safe coping skills\nMake a safety plan",
    ),
    (
        3,
        "PTSD: Taking Back Your Power",
        "ptsd-taking-back-your-power",
        "cognitive",
        False,
        "Trauma can leave strong reactions behind. Understanding them can help you feel more "
        "in charge of your life again.",
        "Understand common reactions to trauma\nSee how trauma and substance use connect\n"
        "Find your own strengths",
    ),
    (
        4,
        "When Substances Control You",
        "when-substances-control-you",
        "cognitive",
        False,
        "We look at how drugs or alcohol affect your life, with no judging. Then we think "
        "about steps toward the change you want.",
        "Look at how substances affect you\nConsider the change you want\nPlan one next step",
    ),
    (
        5,
        "Honesty",
        "honesty",
        "interpersonal",
        False,
        "Being honest with yourself and people you trust can build safety. We practise "
        "saying what is true in a way that keeps you safe.",
        "See what honesty can give you\nDecide when it is safe to be honest\nPractise honest words",
    ),
    (
        6,
        "Asking for Help",
        "asking-for-help",
        "interpersonal",
        False,
        "Asking for help is a strength. We practise who to ask, what to say, and what to do "
        "if the answer is no.",
        "Notice what stops you from asking\nChoose safe people to ask\nPractise asking",
    ),
    (
        7,
        "Setting Boundaries in Relationships",
        "setting-boundaries-in-relationships",
        "interpersonal",
        False,
        "You have the right to say no and to say yes. We practise setting limits that protect you.",
        "Know your limits\nSay no safely\nSay yes to what helps you",
    ),
    (
        8,
        "Getting Others to Support Your Recovery",
        "getting-others-to-support-your-recovery",
        "interpersonal",
        False,
        "Recovery is easier with support. We look at who can help and how to tell them what "
        "you need.",
        "Find people who can support you\nTell them what helps\nHandle people who do not help",
    ),
    (
        9,
        "Healthy Relationships",
        "healthy-relationships",
        "interpersonal",
        False,
        "We look at what makes a relationship good or harmful. We talk about how to find "
        "people who are good for you.",
        "Notice signs of healthy and harmful relationships\nThink about your own relationships\n"
        "Take a step toward healthier ones",
    ),
    (
        10,
        "Community Resources",
        "community-resources",
        "interpersonal",
        False,
        "Many services can help, often for free. We find ones that fit you and plan how to "
        "reach them.",
        "Learn which services exist\nChoose one that fits\nPlan how to contact it",
    ),
    (
        11,
        "Compassion",
        "compassion",
        "cognitive",
        False,
        "Being kind to yourself helps recovery more than being hard on yourself. We practise "
        "talking to yourself with care.",
        "Notice harsh self-talk\nPractise kinder words\nTreat yourself as you would a friend",
    ),
    (
        12,
        "Creating Meaning",
        "creating-meaning",
        "cognitive",
        False,
        "The way we explain things to ourselves shapes how we feel. We look for thoughts that "
        "support safety and hope.",
        "Notice thoughts that keep you stuck\nFind thoughts that help\nPractise using them",
    ),
    (
        13,
        "Discovery",
        "discovery",
        "cognitive",
        False,
        "Instead of staying stuck in one way of seeing things, we try new ideas and test "
        "whether they are true.",
        "Stay open to new ideas\nTest a belief in a safe way\nLearn from what you find",
    ),
    (
        14,
        "Integrating the Split Self",
        "integrating-the-split-self",
        "cognitive",
        False,
        "Trauma can make it feel as if parts of you pull in different directions. We work on "
        "bringing them together.",
        "Notice different sides of yourself\nAccept them\nMake choices that serve the whole you",
    ),
    (
        15,
        "Recovery Thinking",
        "recovery-thinking",
        "cognitive",
        False,
        "Some thoughts lead toward danger, others toward safety. We practise changing thoughts "
        "that hurt into thoughts that help.",
        "Spot thoughts that lead to unsafe actions\nReplace them with recovery thoughts\n"
        "Practise in real situations",
    ),
    (
        16,
        "Taking Good Care of Yourself",
        "taking-good-care-of-yourself",
        "behavioral",
        False,
        "Small daily steps, like sleep, food, health care and rest, add up to safety. We pick "
        "one to start with.",
        "Look at how you care for yourself\nChoose one area to improve\nMake a simple plan",
    ),
    (
        17,
        "Commitment",
        "commitment",
        "behavioral",
        False,
        "Keeping promises to yourself helps you trust yourself. We practise making small "
        "promises you can keep.",
        "Make a commitment you can keep\nPlan for what gets in the way\nNotice your progress",
    ),
    (
        18,
        "Respecting Your Time",
        "respecting-your-time",
        "behavioral",
        False,
        "Your time matters. We look at how to balance rest, work and things you enjoy, and "
        "how to plan your day.",
        "See how you spend your time\nMake room for what matters\nPlan a balanced day",
    ),
    (
        19,
        "Coping with Triggers",
        "coping-with-triggers",
        "behavioral",
        False,
        "Triggers are things that bring back strong feelings or urges. We learn to notice "
        "them and respond safely.",
        "Know your triggers\nPlan safe responses\nPractise changing the situation",
    ),
    (
        20,
        "Self-Nurturing",
        "self-nurturing",
        "behavioral",
        False,
        "Doing things that feel good and are safe helps recovery. We find healthy pleasures "
        "to replace unsafe ones.",
        "List safe things you enjoy\nMake time for them\nLet yourself enjoy them",
    ),
    (
        21,
        "Healing from Anger",
        "healing-from-anger",
        "interpersonal",
        False,
        "Anger is a normal feeling that can be used safely. We look at ways to express it "
        "without harming yourself or others.",
        "Understand your anger\nExpress it safely\nUse it to make positive changes",
    ),
    (
        22,
        "Red and Green Flags",
        "red-and-green-flags",
        "behavioral",
        False,
        "Warning signs (red flags) and signs of progress (green flags) help you stay safe. "
        "We make a plan for each.",
        "Notice your red flags\nNotice your green flags\nMake a plan for danger signs",
    ),
    (
        23,
        "Detaching from Emotional Pain (Grounding)",
        "detaching-from-emotional-pain-grounding",
        "behavioral",
        False,
        "Grounding helps you come back to the present when feelings are overwhelming. We "
        "practise simple ways to do it.",
        "Learn grounding methods\nPractise one that works for you\nUse it when you need it",
    ),
    (
        24,
        "Life Choices",
        "life-choices",
        "combination",
        True,
        "We look at areas of life you want to change, like work, health or home, and choose "
        "a next step.",
        "Look at areas of your life\nChoose one to work on\nPlan a next step",
    ),
    (
        25,
        "Termination",
        "termination",
        "combination",
        True,
        "As the group ends, we look back at what you learned and plan how to keep going safely.",
        "Look back on your progress\nSay goodbye in a healthy way\nPlan continued support",
    ),
]

# The summaries above in Spanish, by topic slug, as plain as the English (usted, like the
# rest of the participants' Spanish). Participants read them on the feedback thank-you
# page; migration 0006 loads them into Topic.summary_es.
SUMMARIES_ES = {
    "introduction-case-management": "Vemos cómo funciona el grupo y qué ayuda puede "
    "necesitar fuera de él, como vivienda, salud o ayuda legal.",
    "safety": "Lo primero es estar a salvo. Vemos qué le protege y qué le pone en riesgo, "
    "y elegimos formas seguras de salir adelante.",
    "ptsd-taking-back-your-power": "El trauma puede dejar reacciones fuertes. Entenderlas "
    "le puede ayudar a sentir otra vez que su vida es suya.",
    "when-substances-control-you": "Vemos cómo el alcohol o las drogas afectan su vida, "
    "sin juzgar. Luego pensamos en pasos hacia el cambio que usted quiere.",
    "honesty": "Ser honesto con usted y con personas de confianza le da seguridad. "
    "Practicamos decir la verdad de una forma que le cuide.",
    "asking-for-help": "Pedir ayuda es una fuerza. Practicamos a quién pedirla, qué decir "
    "y qué hacer si le dicen que no.",
    "setting-boundaries-in-relationships": "Usted tiene derecho a decir que no y a decir "
    "que sí. Practicamos poner límites que le protejan.",
    "getting-others-to-support-your-recovery": "Con apoyo, la recuperación es más fácil. "
    "Vemos quién le puede ayudar y cómo decirle lo que necesita.",
    "healthy-relationships": "Vemos qué hace que una relación sea buena o dañina. Y "
    "hablamos de cómo encontrar personas que le hacen bien.",
    "community-resources": "Muchos servicios pueden ayudar, a menudo gratis. Buscamos los "
    "que le sirven y vemos cómo llegar a ellos.",
    "compassion": "Ser amable con usted ayuda más que ser duro. Practicamos hablarse con cariño.",
    "creating-meaning": "Lo que nos decimos sobre lo que pasa cambia cómo nos sentimos. "
    "Buscamos ideas que nos den calma y esperanza.",
    "discovery": "En vez de quedarnos en una sola forma de ver las cosas, probamos ideas "
    "nuevas y vemos si son ciertas.",
    "integrating-the-split-self": "El trauma puede hacer sentir que partes de usted tiran "
    "hacia lados distintos. Trabajamos para unirlas.",
    "recovery-thinking": "Unas ideas llevan al peligro y otras a estar a salvo. "
    "Practicamos cambiar las ideas que hacen daño por ideas que ayudan.",
    "taking-good-care-of-yourself": "Pasos pequeños cada día, como dormir, comer, cuidar "
    "la salud y descansar, le ayudan a estar bien. Elegimos uno para empezar.",
    "commitment": "Cumplir las promesas que se hace le ayuda a confiar en usted. "
    "Practicamos hacer promesas pequeñas que sí puede cumplir.",
    "respecting-your-time": "Su tiempo vale. Vemos cómo repartirlo entre descanso, trabajo "
    "y cosas que le gustan, y cómo planear su día.",
    "coping-with-triggers": "Hay cosas que traen de vuelta sentimientos o ganas muy "
    "fuertes. Aprendemos a notarlas y a responder sin riesgo.",
    "self-nurturing": "Hacer cosas que se sienten bien y no le ponen en riesgo ayuda. "
    "Buscamos gustos sanos que tomen el lugar de los que dañan.",
    "healing-from-anger": "El enojo es normal y se puede usar sin hacer daño. Vemos formas "
    "de sacarlo sin herirse ni herir a otros.",
    "red-and-green-flags": "Las señales de alarma (rojas) y las señales de avance (verdes) "
    "le ayudan a estar a salvo. Hacemos un plan para cada una.",
    "detaching-from-emotional-pain-grounding": "Hacer tierra le ayuda a volver al ahora "
    "cuando los sentimientos son muy fuertes. Practicamos formas simples de hacerlo.",
    "life-choices": "Vemos partes de la vida que quiere cambiar, como el trabajo, la salud "
    "o la casa, y elegimos un próximo paso.",
    "termination": "Al terminar el grupo, vemos lo que aprendió y planeamos cómo seguir "
    "adelante sin riesgo.",
}
