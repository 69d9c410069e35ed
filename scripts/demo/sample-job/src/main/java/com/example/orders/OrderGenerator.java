package com.example.orders;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Builds orders from small, fixed pools so the source stays cheap and the encoder, not the
 * generator, is where the CPU goes. Texts carry quotes, backslashes, newlines and non-ASCII
 * on purpose: they are what makes the per-character escaping expensive.
 */
public class OrderGenerator implements GeneratorFunction<Long, Order> {
    private static final String[] NAMES = {
        "Zoë Müller", "José \"Pepe\" Álvarez", "Åsa Lindqvist", "O'Brien, Siobhán", "Łukasz Żółć",
        "Renée Dubois", "Søren Kierkegård", "Chloé Nguyễn",
    };
    private static final String[] STREETS = {
        "Königstraße 12\nAufgang B, 3. OG\n70173 Stuttgart\nDeutschland",
        "Calle de Alcalá 45, 2º izq.\n28014 Madrid\nEspaña",
        "14 Rue de l'Église\nBâtiment \"C\"\n75004 Paris\nFrance",
        "Drottninggatan 71\tc/o Ödman\n111 36 Stockholm\nSverige",
        "ul. Żurawia 6/12\n00-503 Warszawa\nPolska",
    };
    private static final String[] NOTES = {
        "Please leave the parcel with the neighbour (\"Frau Schäfer\", 2nd floor) if nobody answers;"
            + " do NOT leave it at the door – last time it got wet.\nGift wrap: yes\\no?",
        "Entrega entre las 9:00 y las 13:00. Llamar al timbre «B» dos veces; el portero se llama"
            + " Íñigo.\r\nFactura a nombre de la empresa, CIF B-12345678.",
        "Livraison express ⚡ s'il vous plaît — c'est pour l'anniversaire de ma fille 🎂."
            + " Code d'entrée: 4\\7\\1\\9, puis l'escalier « C » à droite.",
        "Ring twice.\tIf the dog barks, that's fine — she's friendly. Path C:\\Users\\orders\\inbox"
            + " was printed on the last label by mistake; ignore it.",
    };
    private static final String[] TITLES = {
        "Kaffeemühle \"Präzision\" – Edelstahl, 40 Mahlstufen",
        "Auriculares inalámbricos · cancelación de ruido · 30 h",
        "Théière en fonte « Tetsubin » 1,2 L",
        "Ergonomic keyboard (ISO-DE layout, ä/ö/ü keys)",
        "Tabla de cortar de bambú 45×30 cm",
        "Lampe de bureau LED — 3 températures, port USB-C",
    };
    private static final String[] CURRENCIES = {"EUR", "SEK", "PLN", "CHF"};

    @Override
    public Order map(Long index) {
        long i = index;
        int k = (int) (i & 0x7fffffff);
        Order order = new Order();
        order.orderId = i;
        order.customerId = 1_000_000L + (i * 7919L) % 250_000L;
        order.customerName = NAMES[k % NAMES.length];
        order.customerEmail = "customer+" + (k % 997) + "@example.com";
        order.shippingAddress = STREETS[k % STREETS.length];
        order.currency = CURRENCIES[k % CURRENCIES.length];
        order.createdAtMillis = 1_767_225_600_000L + i;
        order.note = NOTES[k % NOTES.length];
        int count = 1 + k % 4;
        order.items = new Order.LineItem[count];
        for (int n = 0; n < count; n++) {
            Order.LineItem item = new Order.LineItem();
            item.sku = "SKU-" + ((k + n) % 5000);
            item.title = TITLES[(k + n) % TITLES.length];
            item.quantity = 1 + (k + n) % 3;
            item.unitPriceCents = 199 + ((k * 31L + n) % 20_000L);
            order.items[n] = item;
        }
        return order;
    }
}
